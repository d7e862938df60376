// A Prometheus data source for the preview, standing in for Grafana's: the scene's PromQL goes through the preview
// server's data source proxy (/api/datasources/proxy/uid/<uid>/, as Grafana's) to a real Prometheus that scrapes the
// real gateway, and the answers become data frames. It interpolates what Grafana's template service would for these
// queries ($__range, $__interval, $__rate_interval) and formats legends ({{label}}).
import { from, type Observable } from 'rxjs';
import {
  createDataFrame,
  DataSourceApi,
  FieldType,
  type DataFrame,
  type DataQuery,
  type DataQueryRequest,
  type DataQueryResponse,
  type DataSourceInstanceSettings,
  type TestDataSourceResponse,
} from '@grafana/data';

export interface PromQuery extends DataQuery {
  expr: string;
  instant?: boolean;
  range?: boolean;
  legendFormat?: string;
}

interface PromSeries {
  metric: Record<string, string>;
  values?: Array<[number, string]>;
  value?: [number, string];
}

/** Query step: about `maxDataPoints` points over the range, never below `minStepSeconds`. */
export function stepSeconds(rangeMs: number, maxDataPoints = 500, minStepSeconds = 2): number {
  return Math.max(minStepSeconds, Math.ceil(rangeMs / 1000 / maxDataPoints));
}

/** Grafana's range variables in a PromQL expression, the `_ms` and `_s` forms as plain numbers. */
export function interpolate(expr: string, rangeMs: number, step: number): string {
  const rateIntervalSeconds = Math.max(4 * step, 15);
  const rangeSeconds = Math.max(1, Math.round(rangeMs / 1000));
  const values: Record<string, string> = {
    __rate_interval: `${rateIntervalSeconds}s`,
    __rate_interval_ms: String(rateIntervalSeconds * 1000),
    __interval: `${step}s`,
    __interval_ms: String(step * 1000),
    __range: `${rangeSeconds}s`,
    __range_s: String(rangeSeconds),
    __range_ms: String(rangeSeconds * 1000),
  };
  // The longest name that matches, so that $__interval_ms is not read as $__interval followed by "_ms".
  return expr.replace(/\$(__[a-z_]+)/g, (match, name: string) => values[name] ?? match);
}

export function legend(format: string | undefined, labels: Record<string, string>): string {
  if (!format) return Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(', ');
  return format.replace(/\{\{\s*(\w+)\s*\}\}/g, (_match, name: string) => labels[name] ?? '');
}

export class PreviewPrometheus extends DataSourceApi<PromQuery> {
  constructor(private readonly settings: DataSourceInstanceSettings) {
    super(settings);
  }

  query(request: DataQueryRequest<PromQuery>): Observable<DataQueryResponse> {
    return from(this.run(request));
  }

  private async run(request: DataQueryRequest<PromQuery>): Promise<DataQueryResponse> {
    const fromMs = request.range.from.valueOf();
    const toMs = request.range.to.valueOf();
    const step = stepSeconds(toMs - fromMs, request.maxDataPoints ?? 500);
    const frames = await Promise.all(
      request.targets.filter((target) => !target.hide && target.expr).map((target) => this.runTarget(target, fromMs, toMs, step)),
    );
    return { data: frames.flat() };
  }

  private async runTarget(target: PromQuery, fromMs: number, toMs: number, step: number): Promise<DataFrame[]> {
    const expr = interpolate(target.expr, toMs - fromMs, step);
    const base = `/api/datasources/proxy/uid/${this.settings.uid}/api/v1`;
    const url = target.instant
      ? `${base}/query?query=${encodeURIComponent(expr)}&time=${toMs / 1000}`
      : // Like Grafana, start and end on multiples of the step: the last point then falls at or after now.
        `${base}/query_range?query=${encodeURIComponent(expr)}&start=${Math.floor(fromMs / 1000 / step) * step}&end=${Math.ceil(toMs / 1000 / step) * step}&step=${step}`;
    const response = await fetch(url);
    const body = (await response.json().catch(() => ({}))) as { status?: string; error?: string; data?: { result: PromSeries[] } };
    if (!response.ok || body.status !== 'success' || !body.data) {
      throw new Error(`Prometheus: ${body.error ?? `${response.status} ${response.statusText}`}`);
    }
    return body.data.result.map((series) => {
      const points = series.values ?? (series.value ? [series.value] : []);
      const { __name__: _name, ...labels } = series.metric;
      return createDataFrame({
        refId: target.refId,
        name: legend(target.legendFormat, labels),
        fields: [
          { name: 'Time', type: FieldType.time, values: points.map(([t]) => t * 1000), config: {} },
          {
            name: 'Value',
            type: FieldType.number,
            values: points.map(([, v]) => Number(v)),
            labels,
            config: { displayNameFromDS: legend(target.legendFormat, labels) },
          },
        ],
      });
    });
  }

  async testDatasource(): Promise<TestDataSourceResponse> {
    return { status: 'success', message: 'Preview Prometheus' };
  }
}

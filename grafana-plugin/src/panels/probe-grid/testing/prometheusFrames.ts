// Data frames in the shapes Grafana's Prometheus data source hands a panel for instant queries, for tests, the
// preview page and the benchmark:
// - time series format: the backend's frames (pkg/promlib), one per series, decoded by dataFrameFromJSON as the
//   frontend does: `Time` + `Value` whose labels are the series labels, NaN/±Inf sent as JSON entities;
// - table format: the frontend's transformDFToTable of those frames: one frame per query, `Time`, one string column
//   per label (union of the series' labels), then `Value` (or `Value #<refId>` when a panel has several queries).
import {
  createDataFrame,
  dataFrameFromJSON,
  DataFrameType,
  FieldType,
  type DataFrame,
  type DataFrameJSON,
  type FieldValueEntityLookup,
  type QueryResultMeta,
} from '@grafana/data';

export interface SeriesSample {
  labels: Record<string, string>;
  /** NaN, Infinity and null are sent the way Prometheus and Grafana send them. */
  value: number | null;
}

const VECTOR_META: QueryResultMeta = { type: DataFrameType.NumericMulti, typeVersion: [0, 1], custom: { resultType: 'vector' } };

function entitiesOf(value: number | null): FieldValueEntityLookup | null {
  if (value === null || Number.isFinite(value)) {
    return null;
  }
  if (Number.isNaN(value)) {
    return { NaN: [0] };
  }
  return value > 0 ? { Inf: [0] } : { NegInf: [0] };
}

/** One frame per series, as the Prometheus backend returns an instant vector in time series format. */
export function instantSeriesFrames(refId: string, samples: readonly SeriesSample[], timeMs: number): DataFrame[] {
  return samples.map(({ labels, value }) => {
    const json: DataFrameJSON = {
      schema: {
        refId,
        meta: VECTOR_META,
        fields: [
          { name: 'Time', type: FieldType.time },
          { name: 'Value', type: FieldType.number, labels },
        ],
      },
      data: {
        values: [[timeMs], [value !== null && Number.isFinite(value) ? value : null]],
        entities: [null, entitiesOf(value)],
      },
    };
    return dataFrameFromJSON(json);
  });
}

/** The table format: Grafana's transformDFToTable applied to the series of one query. */
export function instantTableFrame(refId: string, samples: readonly SeriesSample[], timeMs: number, valueName = 'Value'): DataFrame {
  const labelNames: string[] = [];
  for (const { labels } of samples) {
    for (const name of Object.keys(labels).sort()) {
      if (!labelNames.includes(name)) {
        labelNames.push(name);
      }
    }
  }
  return createDataFrame({
    refId,
    meta: { ...VECTOR_META, preferredVisualisationType: 'rawPrometheus' },
    fields: [
      { name: 'Time', type: FieldType.time, values: samples.map(() => timeMs) },
      ...labelNames.map((name) => ({
        name,
        type: FieldType.string,
        config: { filterable: true },
        values: samples.map(({ labels }) => labels[name] ?? ''),
      })),
      { name: valueName, type: FieldType.number, values: samples.map(({ value }) => (value === null ? Number.NaN : value)) },
    ],
  });
}

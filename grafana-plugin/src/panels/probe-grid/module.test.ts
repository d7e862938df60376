import {
  FieldConfigProperty,
  PanelOptionsEditorBuilder,
  standardEditorsRegistry,
  standardFieldConfigEditorRegistry,
  type FieldConfigPropertyItem,
  type StandardEditorsRegistryItem,
} from '@grafana/data';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { plugin } from './module';
import { DEFAULT_FIELD_CONFIG, DEFAULT_OPTIONS, type ProbeGridOptions } from './types';

// Grafana fills these registries with its option editors at boot; the builders look editors up by id. Stand-ins are
// spied in rather than registered: test files share modules (isolate: false), and a registry initialises only once.
const editors = new Map(['radio', 'boolean', 'color', 'select', 'number', 'text'].map((id) => [id, () => null]));
const editorIdOf = (editor: unknown) => [...editors].find(([, fn]) => fn === editor)?.[0];

beforeAll(() => {
  vi.spyOn(standardEditorsRegistry, 'get').mockImplementation((id: string) => ({ id, name: id, editor: editors.get(id)! }) as StandardEditorsRegistryItem);
  const editor = () => null;
  vi.spyOn(standardFieldConfigEditorRegistry, 'list').mockImplementation(() =>
    Object.values(FieldConfigProperty).map(
      (id) => ({ id, path: id, name: id, editor, override: editor, process: (value: unknown) => value, shouldApply: () => true }) as FieldConfigPropertyItem,
    ),
  );
});

afterAll(() => {
  vi.restoreAllMocks();
});

describe('the probe grid panel plugin', () => {
  test('offers group by, sort, tile size, show values, only problems and the state colours in the panel editor', () => {
    const builder = new PanelOptionsEditorBuilder<ProbeGridOptions>();
    plugin.getPanelOptionsSupplier()(builder, { data: [] });
    const items = builder.getItems();
    expect(items.map((item) => [item.path, editorIdOf(item.editor), item.defaultValue])).toEqual([
      ['groupBy', 'radio', 'server'],
      ['sortBy', 'radio', 'state'],
      ['tileSize', 'radio', 'medium'],
      ['showValues', 'boolean', true],
      ['problemsOnly', 'boolean', false],
      ['downColor', 'color', 'red'],
      ['partialColor', 'color', 'purple'],
      ['noDataColor', 'color', 'gray'],
    ]);
    expect(Object.fromEntries(items.map((item) => [item.path, item.defaultValue]))).toEqual(DEFAULT_OPTIONS);
    expect(items.find((item) => item.path === 'groupBy')!.settings.options.map((option: { value: string }) => option.value)).toEqual([
      'server',
      'site',
      'role',
      'gateway',
      'none',
    ]);
  });

  test('uses the standard field config for the connect time: unit, decimals, thresholds and colour scheme', () => {
    expect(plugin.fieldConfigRegistry.list().map((item) => item.id)).toEqual(['unit', 'decimals', 'thresholds', 'color']);
    expect(plugin.fieldConfigDefaults.defaults).toMatchObject(DEFAULT_FIELD_CONFIG);
    expect(DEFAULT_FIELD_CONFIG.thresholds!.steps.map((step) => [step.value, step.color])).toEqual([
      [-Infinity, 'green'],
      [0.2, 'yellow'],
      [1, 'orange'],
    ]);
  });

  test('its plugin.json declares the nested panel probekit-probegrid-panel with its logo', () => {
    const json = JSON.parse(readFileSync(join(import.meta.dirname, 'plugin.json'), 'utf8'));
    expect(json).toMatchObject({ type: 'panel', id: 'probekit-probegrid-panel', name: 'Probe status grid', dependencies: { grafanaDependency: '>=12.3.0' } });
    expect(readFileSync(join(import.meta.dirname, json.info.logos.small), 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
  });
});

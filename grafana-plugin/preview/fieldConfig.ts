// Grafana's standard field options (unit, decimals, min, max, thresholds, value mappings, color, ...), which Grafana
// registers at boot from its own code: without them a panel's fieldConfig would not format or colour anything. And the
// panel option editors, which a panel's options builder looks up by id (the preview has no panel editor: they draw nothing).
import {
  displayNameOverrideProcessor,
  FieldColorModeId,
  identityOverrideProcessor,
  numberOverrideProcessor,
  standardEditorsRegistry,
  standardFieldConfigEditorRegistry,
  stringOverrideProcessor,
  thresholdsOverrideProcessor,
  ThresholdsMode,
  unitOverrideProcessor,
  valueMappingsOverrideProcessor,
  type FieldConfigPropertyItem,
} from '@grafana/data';

const noEditor = () => null;

function option(id: string, process: FieldConfigPropertyItem['process'], defaultValue?: unknown): FieldConfigPropertyItem {
  return { id, path: id, name: id, editor: noEditor, override: noEditor, process, shouldApply: () => true, defaultValue };
}

standardFieldConfigEditorRegistry.setInit(() => [
  option('unit', unitOverrideProcessor),
  option('min', numberOverrideProcessor),
  option('max', numberOverrideProcessor),
  option('decimals', numberOverrideProcessor),
  option('displayName', displayNameOverrideProcessor),
  option('noValue', stringOverrideProcessor),
  option('thresholds', thresholdsOverrideProcessor, {
    mode: ThresholdsMode.Absolute,
    steps: [
      { value: -Infinity, color: 'green' },
      { value: 80, color: 'red' },
    ],
  }),
  option('mappings', valueMappingsOverrideProcessor, []),
  option('color', identityOverrideProcessor, { mode: FieldColorModeId.PaletteClassic }),
]);

standardEditorsRegistry.setInit(() =>
  ['boolean', 'color', 'multi-select', 'number', 'radio', 'select', 'slider', 'strings', 'text', 'unit'].map((id) => ({ id, name: id, editor: noEditor })),
);

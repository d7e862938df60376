// The probe status grid as Grafana loads it: the panel, its options in the panel editor and its standard field config
// (unit, decimals, thresholds and colour scheme of the connect time).
import { FieldConfigProperty, PanelPlugin } from '@grafana/data';
import { ProbeGridPanel } from './components/ProbeGridPanel';
import { DEFAULT_FIELD_CONFIG, DEFAULT_OPTIONS, type ProbeGridOptions } from './types';

export const plugin = new PanelPlugin<ProbeGridOptions>(ProbeGridPanel)
  .useFieldConfig({
    standardOptions: {
      [FieldConfigProperty.Unit]: { defaultValue: DEFAULT_FIELD_CONFIG.unit },
      [FieldConfigProperty.Decimals]: {},
      [FieldConfigProperty.Thresholds]: { defaultValue: DEFAULT_FIELD_CONFIG.thresholds },
      [FieldConfigProperty.Color]: { defaultValue: DEFAULT_FIELD_CONFIG.color },
    },
    disableStandardOptions: [
      FieldConfigProperty.Min,
      FieldConfigProperty.Max,
      FieldConfigProperty.FieldMinMax,
      FieldConfigProperty.DisplayName,
      FieldConfigProperty.NoValue,
      FieldConfigProperty.Mappings,
      FieldConfigProperty.Links,
      FieldConfigProperty.Actions,
      FieldConfigProperty.Filterable,
    ],
  })
  .setPanelOptions((builder) =>
    builder
      .addRadio({
        path: 'groupBy',
        name: 'Group by',
        description: 'The label whose values head the groups of tiles',
        defaultValue: DEFAULT_OPTIONS.groupBy,
        settings: {
          options: [
            { value: 'server', label: 'Server' },
            { value: 'site', label: 'Site' },
            { value: 'role', label: 'Role' },
            { value: 'gateway', label: 'Gateway' },
            { value: 'none', label: 'None' },
          ],
        },
      })
      .addRadio({
        path: 'sortBy',
        name: 'Sort by',
        description: 'State puts down probes first, then slow ones, then those without data',
        defaultValue: DEFAULT_OPTIONS.sortBy,
        settings: {
          options: [
            { value: 'state', label: 'State' },
            { value: 'name', label: 'Name' },
          ],
        },
      })
      .addRadio({
        path: 'tileSize',
        name: 'Tile size',
        defaultValue: DEFAULT_OPTIONS.tileSize,
        settings: {
          options: [
            { value: 'small', label: 'Small' },
            { value: 'medium', label: 'Medium' },
            { value: 'large', label: 'Large' },
          ],
        },
      })
      .addBooleanSwitch({
        path: 'showValues',
        name: 'Show values',
        description: 'Connect time, or the failure reason, under the probe name',
        defaultValue: DEFAULT_OPTIONS.showValues,
      })
      .addBooleanSwitch({
        path: 'problemsOnly',
        name: 'Only problems',
        description: 'Only the probes down (at every location or some), slow or failed recently (the panel\'s "Only problems" button switches it for a viewer)',
        defaultValue: DEFAULT_OPTIONS.problemsOnly,
      })
      .addColorPicker({
        path: 'downColor',
        name: 'Down colour',
        category: ['State colours'],
        defaultValue: DEFAULT_OPTIONS.downColor,
      })
      .addColorPicker({
        path: 'partialColor',
        name: 'Partly down colour',
        description: 'A probe down at some of its locations (gateways) and up at others',
        category: ['State colours'],
        defaultValue: DEFAULT_OPTIONS.partialColor,
      })
      .addColorPicker({
        path: 'noDataColor',
        name: 'No data colour',
        category: ['State colours'],
        defaultValue: DEFAULT_OPTIONS.noDataColor,
      }),
  );

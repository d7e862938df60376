// Search box and role, site and gateway filters above the probe server table.
import type { SelectableValue } from '@grafana/data';
import { FilterInput, Select, Stack } from '@grafana/ui';
import type { FilterChoices, ServerFilters } from './filters';

interface Props {
  filters: ServerFilters;
  choices: FilterChoices;
  onChange: (filters: ServerFilters) => void;
}

const options = (values: string[]): Array<SelectableValue<string>> => values.map((value) => ({ label: value, value }));

export function ServerFiltersBar({ filters, choices, onChange }: Props) {
  const select = (key: 'role' | 'site' | 'gateway', label: string, values: string[]) => (
    <Select
      aria-label={`Filter by ${key}`}
      inputId={`server-filter-${key}`}
      placeholder={label}
      options={options(values)}
      value={filters[key]}
      isClearable
      width={22}
      onChange={(option: SelectableValue<string> | null) => onChange({ ...filters, [key]: option?.value ?? null })}
    />
  );
  return (
    <Stack gap={1} wrap="wrap">
      <FilterInput
        aria-label="Search probe servers"
        placeholder="Search name, description, owner, organization"
        value={filters.search}
        onChange={(search) => onChange({ ...filters, search })}
        width={48}
      />
      {select('role', 'All roles', choices.roles)}
      {select('site', 'All sites', choices.sites)}
      {select('gateway', 'All gateways', choices.gateways)}
    </Stack>
  );
}

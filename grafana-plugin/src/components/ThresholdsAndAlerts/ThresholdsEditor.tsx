// Edits a list of thresholds (a server's, or a probe's overrides): kind, level, value with its unit, how long, team,
// contact point and runbook per threshold. Checks the gateway's rules before saving and puts the gateway's own
// answer next to the field it names.
import { useState } from 'react';
import { Controller, useFieldArray, useForm, type Path } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import { css } from '@emotion/css';
import type { GrafanaTheme2, SelectableValue } from '@grafana/data';
import { Button, Field, Input, RadioButtonGroup, Select, Stack, Text, useStyles2 } from '@grafana/ui';
import { toGatewayError, type GatewayError } from '../../api/errors';
import type { Threshold } from '../../api/types';
import { sentence } from '../../forms/gatewayFormErrors';
import { GatewayErrorAlert } from '../GatewayErrorAlert';
import { quorumFor } from '../Locations/words';
import {
  KIND_DESCRIPTIONS,
  KIND_LABELS,
  KINDS,
  LEVEL_LABELS,
  LEVELS,
  VALUE_DESCRIPTIONS,
  VALUE_UNITS,
  formFieldOf,
  newThresholdRow,
  thresholdsFormSchemaFor,
  toThresholdRow,
  toThresholds,
  type ThresholdsFormValues,
} from './thresholdForm';

interface Props {
  /** What the list holds now; `extra` rows are added on top (e.g. a server threshold the probe starts to override). */
  initial: readonly Threshold[];
  extra?: readonly Threshold[];
  /** Team of a new threshold: the app's default team. */
  defaultTeam?: string;
  /** Grafana's contact point names; null when they could not be read (a name can still be typed). */
  contactPoints: string[] | null;
  /** What the list is: "server" or "probe" (for the texts). */
  owner: 'server' | 'probe';
  /** How many gateways the server runs from: a quorum of locations is asked for only with more than one. */
  gatewayCount: number;
  /** Saves the list; rejects with the gateway's error. */
  onSave: (thresholds: Threshold[]) => Promise<void>;
  onCancel: () => void;
}

const kindOptions: Array<SelectableValue<Threshold['kind']>> = KINDS.map((kind) => ({ value: kind, label: KIND_LABELS[kind], description: KIND_DESCRIPTIONS[kind] }));
const levelOptions = LEVELS.map((level) => ({ value: level, label: LEVEL_LABELS[level] }));

export function ThresholdsEditor({ initial, extra = [], defaultTeam = '', contactPoints, owner, gatewayCount, onSave, onCancel }: Props) {
  const styles = useStyles2(getStyles);
  const [failure, setFailure] = useState<GatewayError>();
  const {
    control,
    register,
    handleSubmit,
    setError,
    watch,
    formState: { errors, isSubmitting },
  } = useForm<ThresholdsFormValues>({
    resolver: zodResolver(thresholdsFormSchemaFor(gatewayCount)),
    defaultValues: { thresholds: [...initial, ...extra].map(toThresholdRow) },
  });
  const { fields, append, remove } = useFieldArray({ control, name: 'thresholds' });
  const rows = watch('thresholds');

  const submit = async (values: ThresholdsFormValues) => {
    setFailure(undefined);
    try {
      await onSave(toThresholds(values));
    } catch (caught) {
      const error = toGatewayError(caught);
      let placed = 0;
      for (const problem of error.problems) {
        const field = formFieldOf(problem.field);
        if (field === null) continue;
        setError(field as Path<ThresholdsFormValues>, { type: 'gateway', message: sentence(problem.message) }, { shouldFocus: placed === 0 });
        placed++;
      }
      if (placed === 0) setFailure(error);
    }
  };

  const contactPointOptions = (current: string): Array<SelectableValue<string>> => {
    const names = contactPoints ?? [];
    const options: Array<SelectableValue<string>> = names.map((name) => ({ value: name, label: name }));
    if (current !== '' && !names.includes(current)) options.push({ value: current, label: current, description: contactPoints ? 'not a contact point in Grafana' : undefined });
    return options;
  };

  return (
    <form onSubmit={handleSubmit(submit)} aria-label={`Edit ${owner} thresholds`} noValidate className={styles.form}>
      {failure && <GatewayErrorAlert error={failure} title="The thresholds were not saved" />}
      {fields.length === 0 && (
        <Text color="secondary">
          {owner === 'probe'
            ? 'No overrides: the probe follows its server’s thresholds.'
            : 'No thresholds of its own: every probe gets the built-in availability rule (critical after 5 minutes and 2 failed checks).'}
        </Text>
      )}
      {fields.map((item, index) => {
        const kind = rows?.[index]?.kind ?? item.kind;
        const unit = VALUE_UNITS[kind];
        const rowErrors = errors.thresholds?.[index];
        const id = (name: string) => `threshold-${index}-${name}`;
        const field = (name: keyof ThresholdsFormValues['thresholds'][number]) => ({
          invalid: Boolean(rowErrors?.[name]),
          error: rowErrors?.[name]?.message,
          htmlFor: id(name),
        });
        return (
          <fieldset key={item.id} className={styles.row} aria-label={`Threshold ${index + 1}`}>
            <Stack gap={2} wrap="wrap" alignItems="flex-start">
              <Field label="Kind" {...field('kind')}>
                <Controller
                  name={`thresholds.${index}.kind`}
                  control={control}
                  render={({ field: { value, onChange } }) => (
                    <Select inputId={id('kind')} options={kindOptions} value={value} onChange={(option) => option.value && onChange(option.value)} width={26} />
                  )}
                />
              </Field>
              <Field label="Level" {...field('level')}>
                <Controller
                  name={`thresholds.${index}.level`}
                  control={control}
                  render={({ field: { value, onChange } }) => <RadioButtonGroup id={id('level')} options={levelOptions} value={value} onChange={onChange} />}
                />
              </Field>
              {unit !== null && (
                <Field label="Value" description={VALUE_DESCRIPTIONS[kind]} {...field('value')}>
                  <Input id={id('value')} {...register(`thresholds.${index}.value`)} type="number" suffix={unit} width={16} />
                </Field>
              )}
              <Field label="For" description={kind === 'availability' ? 'How long it stays down after those checks, e.g. 5m' : 'How long it must hold, e.g. 5m'} {...field('for')}>
                <Input id={id('for')} {...register(`thresholds.${index}.for`)} placeholder={kind === 'availability' ? '5m' : 'none'} width={12} />
              </Field>
              {kind === 'availability' && (
                <Field label="Consecutive checks" description="Failed checks in a row, each probe its own" {...field('consecutiveChecks')}>
                  <Input id={id('consecutiveChecks')} {...register(`thresholds.${index}.consecutiveChecks`)} type="number" placeholder="1" width={12} />
                </Field>
              )}
              {kind === 'availability' && gatewayCount > 1 && (
                <Field
                  label="Locations down"
                  description={`Of the server's ${gatewayCount} gateways, before it alerts; empty: ${quorumFor({}, gatewayCount).quorum} (a majority). Fewer raise a path alert per location instead`}
                  {...field('minFailingLocations')}
                >
                  <Input
                    id={id('minFailingLocations')}
                    {...register(`thresholds.${index}.minFailingLocations`)}
                    type="number"
                    min={1}
                    max={gatewayCount}
                    placeholder={String(quorumFor({}, gatewayCount).quorum)}
                    width={12}
                  />
                </Field>
              )}
              {kind === 'availabilityRatio' && (
                <Field label="Window" description="The ratio is taken over it" {...field('window')}>
                  <Input id={id('window')} {...register(`thresholds.${index}.window`)} placeholder="1h" width={12} />
                </Field>
              )}
            </Stack>
            <Stack gap={2} wrap="wrap" alignItems="flex-start">
              <Field label="Team" description="The team label notification policies route on" {...field('team')}>
                <Input id={id('team')} {...register(`thresholds.${index}.team`)} placeholder={defaultTeam || 'none'} width={20} />
              </Field>
              <Field label="Contact point" description="Notified directly, besides the policies" {...field('contactPoint')}>
                <Controller
                  name={`thresholds.${index}.contactPoint`}
                  control={control}
                  render={({ field: { value, onChange } }) => (
                    <Select
                      inputId={id('contactPoint')}
                      options={contactPointOptions(value)}
                      value={value === '' ? null : value}
                      onChange={(option: SelectableValue<string> | null) => onChange(option?.value ?? '')}
                      allowCustomValue
                      isClearable
                      placeholder="Notification policies decide"
                      width={30}
                    />
                  )}
                />
              </Field>
              <Field label="Runbook URL" {...field('runbookUrl')}>
                <Input id={id('runbookUrl')} {...register(`thresholds.${index}.runbookUrl`)} placeholder="https://wiki.example/tcp" width={36} />
              </Field>
              <Button type="button" variant="secondary" fill="text" icon="trash-alt" aria-label={`Remove threshold ${index + 1}`} onClick={() => remove(index)} className={styles.remove}>
                Remove
              </Button>
            </Stack>
          </fieldset>
        );
      })}
      <Stack gap={1}>
        <Button type="button" variant="secondary" icon="plus" onClick={() => append(newThresholdRow(rows ?? [], defaultTeam))} disabled={fields.length >= 20}>
          Add threshold
        </Button>
        <Button type="submit" disabled={isSubmitting} icon={isSubmitting ? 'spinner' : undefined}>
          Save thresholds
        </Button>
        <Button type="button" variant="secondary" fill="outline" onClick={onCancel}>
          Cancel
        </Button>
      </Stack>
    </form>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  form: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(1) }),
  row: css({
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    padding: theme.spacing(1, 2, 0),
    margin: 0,
  }),
  remove: css({ marginTop: theme.spacing(3) }),
});

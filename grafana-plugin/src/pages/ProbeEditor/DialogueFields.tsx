// The probe form's dialogue section: send/expect/STARTTLS steps in order, presets for common services, and each
// step's problem (the form's or the gateway's, `dialogue[2].expect`) under that step.
import { Controller, useFieldArray, type Control, type FieldErrors, type UseFormRegister } from 'react-hook-form';
import { css } from '@emotion/css';
import type { GrafanaTheme2, SelectableValue } from '@grafana/data';
import { Button, Field, IconButton, Input, RadioButtonGroup, Select, Stack, useStyles2 } from '@grafana/ui';
import { DIALOGUE_MAX_STEPS } from '../../../../gateway/src/domain/field-rules.js';
import { DIALOGUE_PRESETS, newRow, type StepKind } from './dialogueSteps';
import type { ProbeFormValues } from './probeForm';

interface Props {
  control: Control<ProbeFormValues>;
  register: UseFormRegister<ProbeFormValues>;
  errors: FieldErrors<ProbeFormValues>;
}

const KIND_WORDS: Record<StepKind, { label: string; description: string; placeholder?: string }> = {
  send: { label: 'send', description: 'Text to send; type CR LF as \\r\\n (also \\t, \\\\, \\xHH), or hex digits', placeholder: 'PING\\r\\n' },
  expect: { label: 'expect', description: 'A regular expression that a received line must match', placeholder: '^\\+PONG' },
  startTls: { label: 'STARTTLS', description: 'Upgrade the connection to TLS here, with the TLS settings above' },
};

const PRESET_OPTIONS: Array<SelectableValue<string>> = DIALOGUE_PRESETS.map((preset) => ({ value: preset.id, label: preset.label, description: preset.description }));

const ENCODING_OPTIONS = [
  { label: 'Text', value: 'utf8' as const },
  { label: 'Hex', value: 'hex' as const },
];

export function DialogueFields({ control, register, errors }: Props) {
  const styles = useStyles2(getStyles);
  const { fields, append, remove, move, replace } = useFieldArray({ control, name: 'dialogue' });
  const full = fields.length >= DIALOGUE_MAX_STEPS;
  const hasStartTls = fields.some((step) => step.kind === 'startTls');
  const listError = errors.dialogue?.message ?? errors.dialogue?.root?.message;

  return (
    <>
      <div className={styles.hint}>
        Optional: after the connect, send and expect in order, as blackbox_exporter’s query_response does. An expect is tried on
        each received line; the check fails as an unexpected response when the connection closes or the timeout passes first.
      </div>
      <Field label="Preset" description="Replaces the steps below with those of a common service" htmlFor="probe-dialogue-preset">
        <Select
          inputId="probe-dialogue-preset"
          options={PRESET_OPTIONS}
          value={null}
          onChange={(option) => {
            const preset = DIALOGUE_PRESETS.find((candidate) => candidate.id === option?.value);
            if (preset) replace(preset.rows.map((row) => ({ ...row })));
          }}
          placeholder="Start from a preset…"
          width={40}
        />
      </Field>
      {fields.map((step, index) => {
        const words = KIND_WORDS[step.kind];
        const error = errors.dialogue?.[index]?.text?.message;
        const id = `probe-dialogue-${index}`;
        return (
          <Field key={step.id} label={`Step ${index + 1}: ${words.label}`} description={words.description} invalid={Boolean(error)} error={error} htmlFor={id}>
            <>
              <Stack gap={1} alignItems="center">
                {step.kind === 'startTls' ? (
                  <span id={id} className={styles.startTls}>
                    TLS handshake
                  </span>
                ) : (
                  <Input id={id} {...register(`dialogue.${index}.text`)} placeholder={words.placeholder} invalid={Boolean(error)} width={50} />
                )}
                {step.kind === 'send' && (
                  <Controller
                    name={`dialogue.${index}.encoding`}
                    control={control}
                    render={({ field }) => <RadioButtonGroup size="sm" value={field.value} onChange={field.onChange} options={ENCODING_OPTIONS} />}
                  />
                )}
                <IconButton name="arrow-up" aria-label={`Move step ${index + 1} up`} disabled={index === 0} onClick={() => move(index, index - 1)} />
                <IconButton name="trash-alt" aria-label={`Remove step ${index + 1}`} onClick={() => remove(index)} />
              </Stack>
            </>
          </Field>
        );
      })}
      {listError && (
        <div role="alert" className={styles.error}>
          {listError}
        </div>
      )}
      <Stack gap={1}>
        <Button type="button" variant="secondary" size="sm" icon="arrow-right" disabled={full} onClick={() => append(newRow('send'))}>
          Add send
        </Button>
        <Button type="button" variant="secondary" size="sm" icon="arrow-left" disabled={full} onClick={() => append(newRow('expect'))}>
          Add expect
        </Button>
        <Button type="button" variant="secondary" size="sm" icon="lock" disabled={full || hasStartTls} onClick={() => append(newRow('startTls'))}>
          Add STARTTLS
        </Button>
      </Stack>
      {full && <div className={styles.hint}>A dialogue has at most {DIALOGUE_MAX_STEPS} steps.</div>}
    </>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  hint: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize, marginBottom: theme.spacing(1) }),
  startTls: css({ fontFamily: theme.typography.fontFamilyMonospace, padding: theme.spacing(0.5, 1) }),
  error: css({ color: theme.colors.error.text, fontSize: theme.typography.bodySmall.fontSize }),
});

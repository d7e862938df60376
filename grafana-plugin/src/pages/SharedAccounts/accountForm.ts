// The shared account form: its values, the gateway's field rules for name and description, and the input a save sends.
// Secrets are write-only: a configured one shows as "configured" and is left out of the save (kept) until the user
// resets it; reset and left empty it is sent as null (cleared); typed, it replaces the stored one. Pure.
import { z } from 'zod';
import type { AccountSecret, SharedAccount, SharedAccountInput } from '../../api/types';
import { DESCRIPTION_MAX_LENGTH, NAME_RULE } from '../../../../gateway/src/domain/field-rules.js';
import { textFollowing } from '../../forms/fieldRules';

/** Every secret of an account, in the order the gateway lists them. */
export const SECRET_FIELDS = ['caBundle', 'clientCert', 'clientKey', 'username', 'password'] as const satisfies readonly AccountSecret[];

export const accountFormSchema = z.object({
  name: textFollowing(NAME_RULE),
  description: textFollowing({ maxLength: DESCRIPTION_MAX_LENGTH }),
  caBundle: z.string(),
  clientCert: z.string(),
  clientKey: z.string(),
  username: z.string(),
  password: z.string(),
  /** Which secrets the gateway holds and the user has not reset: shown as "configured", not sent. */
  configured: z.object({ caBundle: z.boolean(), clientCert: z.boolean(), clientKey: z.boolean(), username: z.boolean(), password: z.boolean() }),
});

export type AccountFormValues = z.infer<typeof accountFormSchema>;

/** Fields the gateway may name in a 400 or 409 that the form shows. */
export const ACCOUNT_FORM_FIELDS = ['name', 'description', ...SECRET_FIELDS] as const;

export function toAccountFormValues(account: SharedAccount | null): AccountFormValues {
  const none = { caBundle: false, clientCert: false, clientKey: false, username: false, password: false };
  return {
    name: account?.name ?? '',
    description: account?.description ?? '',
    caBundle: '',
    clientCert: '',
    clientKey: '',
    username: '',
    password: '',
    configured: account ? { ...account.configured } : none,
  };
}

/** A secret as sent: left out (kept, or never set), null (cleared), or its new value. */
function sentSecret(values: AccountFormValues, field: AccountSecret, stored: SharedAccount | null): string | null | undefined {
  if (values.configured[field]) return undefined;
  const typed = values[field];
  if (typed.trim() !== '') return typed;
  return stored?.configured[field] ? null : undefined;
}

/** POST (no `stored`) or PUT with the loaded version. */
export function toSharedAccountInput(values: AccountFormValues, stored: SharedAccount | null): SharedAccountInput {
  const input: SharedAccountInput = { name: values.name.trim(), description: values.description.trim() === '' ? null : values.description };
  for (const field of SECRET_FIELDS) {
    const secret = sentSecret(values, field, stored);
    if (secret !== undefined) input[field] = secret;
  }
  if (stored) input.version = stored.version;
  return input;
}

// The configuration form's values, rules and the settings they become.
import { z } from 'zod';
import type { AppJsonData } from '../../types';

export const configFormSchema = z
  .object({
    gatewayUrl: z
      .string()
      .trim()
      .min(1, 'Enter the URL where the Grafana server reaches the gateway')
      .refine(isHttpUrl, 'Must be an http:// or https:// URL, e.g. http://probekit-gateway:8080'),
    /** True while a token is stored and not reset; the token itself is never shown. */
    tokenConfigured: z.boolean(),
    token: z.string().trim(),
    prometheusUid: z.string(),
    alertFolderUid: z.string(),
    alertFolderTitle: z.string(),
    defaultTeam: z
      .string()
      .trim()
      .max(64, 'Must be at most 64 characters')
      .regex(/^[A-Za-z0-9_.:-]*$/, 'Must be letters, digits, _ . : or -'),
  })
  .refine((values) => values.tokenConfigured || values.token !== '', {
    path: ['token'],
    message: "Paste the gateway's API token (GATEWAY_API_TOKEN, or the file gateway/data/api-token)",
  });

export type ConfigFormValues = z.infer<typeof configFormSchema>;

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

export function toConfigFormValues(jsonData: AppJsonData | undefined, tokenConfigured: boolean): ConfigFormValues {
  return {
    gatewayUrl: jsonData?.gatewayUrl ?? '',
    tokenConfigured,
    token: '',
    prometheusUid: jsonData?.prometheusUid ?? '',
    alertFolderUid: jsonData?.alertFolderUid ?? '',
    alertFolderTitle: jsonData?.alertFolderTitle ?? '',
    defaultTeam: jsonData?.defaultTeam ?? '',
  };
}

/** jsonData without empty values; a trailing slash of the URL dropped so paths join cleanly. */
export function toJsonData(values: ConfigFormValues): AppJsonData {
  const jsonData: AppJsonData = { gatewayUrl: values.gatewayUrl.replace(/\/+$/, '') };
  if (values.prometheusUid) jsonData.prometheusUid = values.prometheusUid;
  if (values.alertFolderUid) {
    jsonData.alertFolderUid = values.alertFolderUid;
    jsonData.alertFolderTitle = values.alertFolderTitle;
  }
  if (values.defaultTeam) jsonData.defaultTeam = values.defaultTeam;
  return jsonData;
}

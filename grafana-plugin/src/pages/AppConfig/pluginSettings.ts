// Saves the app's settings the way Grafana's plugin pages do: POST /api/plugins/<id>/settings with jsonData and, only
// when a secret changed, secureJsonData (Grafana encrypts it and never returns it; the page sees secureJsonFields).
import { getBackendSrv } from '@grafana/runtime';
import { lastValueFrom } from 'rxjs';
import { PLUGIN_SETTINGS_URL } from '../../constants';
import type { AppJsonData, AppSecureJsonData } from '../../types';

export interface PluginSettingsUpdate {
  enabled: boolean;
  pinned: boolean;
  jsonData: AppJsonData;
  /** Leave out to keep the stored secrets; an empty value removes one. */
  secureJsonData?: AppSecureJsonData;
}

export async function savePluginSettings(update: PluginSettingsUpdate): Promise<void> {
  await lastValueFrom(
    getBackendSrv().fetch({ url: PLUGIN_SETTINGS_URL, method: 'POST', data: update, showErrorAlert: false, showSuccessAlert: false }),
  );
}

/** Grafana's answer to a failed settings request, in words. */
export function settingsErrorMessage(error: unknown): string {
  const { status, data } = (error ?? {}) as { status?: number; data?: { message?: string } };
  if (status === 403) return 'Only organization admins can change the app settings.';
  return data?.message || (error instanceof Error ? error.message : 'The settings could not be saved.');
}

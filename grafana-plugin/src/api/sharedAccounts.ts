// Shared accounts (CA bundle, client certificate and key, credentials a server's checks use): /api/v1/shared-accounts.
// Secrets go in only; what comes back says which are configured and summarises the certificates.
import { gatewayRequest } from './client';
import type { Page, SharedAccount, SharedAccountInput } from './types';

/** The gateway's largest page. */
const MAX_PAGE = 1000;

export function listSharedAccounts(query: { limit?: number; offset?: number } = {}): Promise<Page<SharedAccount>> {
  return gatewayRequest('/api/v1/shared-accounts', { query: { ...query } });
}

/** Every shared account, fetched page by page. */
export async function listAllSharedAccounts(): Promise<SharedAccount[]> {
  const accounts: SharedAccount[] = [];
  for (;;) {
    const page = await listSharedAccounts({ limit: MAX_PAGE, offset: accounts.length });
    accounts.push(...page.items);
    if (page.items.length === 0 || accounts.length >= page.total) return accounts;
  }
}

export function getSharedAccount(id: number): Promise<SharedAccount> {
  return gatewayRequest(`/api/v1/shared-accounts/${id}`);
}

export function createSharedAccount(input: SharedAccountInput): Promise<SharedAccount> {
  return gatewayRequest('/api/v1/shared-accounts', { method: 'POST', body: input });
}

/** Send the loaded `version` (409 when someone else changed it); an omitted secret is kept, null clears it. */
export function replaceSharedAccount(id: number, input: SharedAccountInput): Promise<SharedAccount> {
  return gatewayRequest(`/api/v1/shared-accounts/${id}`, { method: 'PUT', body: input });
}

/** 409 naming the servers while any server uses it. */
export async function deleteSharedAccount(id: number): Promise<void> {
  await gatewayRequest<unknown>(`/api/v1/shared-accounts/${id}`, { method: 'DELETE' });
}

// The app's jsonData (gateway URL, Prometheus data source, alert folder, default team) for every page below the root.
import { createContext, useContext } from 'react';
import type { AppJsonData } from './types';

const AppSettingsContext = createContext<AppJsonData>({});

export const AppSettingsProvider = AppSettingsContext.Provider;

export function useAppSettings(): AppJsonData {
  return useContext(AppSettingsContext);
}

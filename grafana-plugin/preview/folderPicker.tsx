// Grafana's folder picker for the preview (what Grafana installs through setFolderPicker at boot): the folders of
// Grafana's folder API (/api/folders) in a combobox; picking one reports its uid and title.
import { useEffect, useState } from 'react';
import { lastValueFrom } from 'rxjs';
import { getBackendSrv, type FolderPicker } from '@grafana/runtime';
import { Combobox, type ComboboxOption } from '@grafana/ui';

type FolderPickerProps = Parameters<typeof FolderPicker>[0];

interface Folder {
  uid: string;
  title: string;
}

export function PreviewFolderPicker({ value, onChange }: FolderPickerProps) {
  const [folders, setFolders] = useState<Folder[]>([]);
  useEffect(() => {
    lastValueFrom(getBackendSrv().fetch<Folder[]>({ url: '/api/folders', showErrorAlert: false })).then(
      (response) => setFolders(response.data),
      () => setFolders([]),
    );
  }, []);
  const options: Array<ComboboxOption<string>> = folders.map((folder) => ({ value: folder.uid, label: folder.title }));
  return (
    <Combobox
      aria-label="Folder picker"
      options={options}
      value={value ?? null}
      isClearable
      placeholder={folders.length === 0 ? 'No folders yet: the app creates its own' : 'Choose a folder'}
      onChange={(option) => {
        const folder = folders.find((candidate) => candidate.uid === option?.value);
        onChange?.(folder?.uid, folder?.title);
      }}
      width={60}
    />
  );
}

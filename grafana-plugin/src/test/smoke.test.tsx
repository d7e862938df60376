import { render, screen } from '@testing-library/react';
import { Button, InteractiveTable, Select, ConfirmModal } from '@grafana/ui';
import { test, expect } from 'vitest';

test('renders grafana ui', () => {
  render(<div><Button>Hello</Button><InteractiveTable columns={[{ id: 'a', header: 'A' }]} data={[{ a: 'x' }]} getRowId={(r) => r.a} />
  <Select options={[{label: 'one', value: 1}]} onChange={() => {}} />
  <ConfirmModal isOpen title="Delete" body="sure?" confirmText="Delete" onConfirm={() => {}} onDismiss={() => {}} />
  </div>);
  expect(screen.getByText('Hello')).toBeInTheDocument();
  expect(screen.getByText('x')).toBeInTheDocument();
});

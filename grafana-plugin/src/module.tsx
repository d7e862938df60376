import { AppPlugin } from '@grafana/data';
import { Button } from '@grafana/ui';

function Root() {
  return <Button>hi</Button>;
}

export const plugin = new AppPlugin<{}>().setRootPage(Root);

// A numeric id from the route (`:serverId`, `:probeId`): a positive integer, or undefined when the URL names none.
import { useParams } from 'react-router-dom';

export function parseId(value: string | undefined): number | undefined {
  const id = Number(value);
  return value !== undefined && /^\d+$/.test(value) && Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

export function useIdParam(name: string): number | undefined {
  return parseId(useParams()[name]);
}

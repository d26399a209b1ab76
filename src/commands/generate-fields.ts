// The delivery fields of generate and send: the config file's per-provider `set` and `data` under the --set, --data
// and --add-field flags. In: a provider and flags; out: what build takes as set/data.
import { clone, type JsonObject } from '../lib/json.js';
import { merge } from '../lib/template.js';
import { readDataFlag } from './common.js';
import { configFor } from './settings.js';

/**
 * The fields the user wants in every delivery: the config file's `set` then the --set flags (a later one wins on the
 * same path), and --data merged over the config's `data`.
 */
export async function configuredFields(
  provider: string,
  flags: { set?: string[] | undefined; data?: string | undefined; addField?: boolean | undefined },
): Promise<{ set: string[]; data: JsonObject | undefined; addField: boolean }> {
  const entry = configFor(provider);
  const given = await readDataFlag(flags.data);
  const data = entry?.data === undefined ? given : given === undefined ? entry.data : merge(clone(entry.data), given);
  return { set: [...(entry?.set ?? []), ...(flags.set ?? [])], data, addField: flags.addField === true };
}

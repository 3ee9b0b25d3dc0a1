// Runs one cluster's branch of the SYNTHESIZED state machine definition locally: the Map's ItemSelector,
// Task states (payloadResponseOnly: the handler's result replaces the state), Retry-free Catch with its
// ResultPath, and Pass states with Parameters. Only the JSONPath subset the definition uses is supported,
// so a change to the definition that this runner does not understand fails the test loudly.

type Json = Record<string, unknown>;

interface StateDef {
  Type: string;
  Next?: string;
  End?: boolean;
  Resource?: string;
  Parameters?: Json;
  Catch?: { ErrorEquals: string[]; ResultPath: string; Next: string }[];
}

export interface Definition {
  StartAt: string;
  States: Record<string, StateDef & { ItemSelector?: Json; ItemProcessor?: { StartAt: string; States: Record<string, StateDef> }; ItemsPath?: string }>;
}

/** A Lambda as the runner calls it: by the Task state's name. */
export type Tasks = Record<string, (input: unknown) => Promise<unknown>>;

/** One visited state and what it returned or threw. */
export interface Step {
  state: string;
  output?: unknown;
  error?: string;
}

/** Returns the items the Map iterates over, with the ItemSelector applied, as the execution would see them. */
export function mapItems(def: Definition, execution: { name: string; startTime: string }): Json[] {
  const start = def.States[def.StartAt]!;
  if (start.Type !== 'Pass' || !start.Parameters) throw new Error(`unsupported start state ${def.StartAt}`);
  const context = { Execution: { Name: execution.name, StartTime: execution.startTime } };
  const state = evaluate(start.Parameters, {}, context) as Json;
  const map = def.States[start.Next!]!;
  if (map.Type !== 'Map' || !map.ItemsPath || !map.ItemSelector) throw new Error(`unsupported state after ${def.StartAt}`);
  const items = read(state, map.ItemsPath) as unknown[];
  return items.map((value, index) => evaluate(map.ItemSelector!, state, { ...context, Map: { Item: { Value: value, Index: index } } }) as Json);
}

/** Runs the Map's item processor for one item (from `startAt`, default its first state); returns the branch result and the states visited. */
export async function runBranch(def: Definition, item: Json, tasks: Tasks, startAt?: string): Promise<{ result: unknown; steps: Step[] }> {
  const map = Object.values(def.States).find((s) => s.Type === 'Map')!;
  const processor = map.ItemProcessor!;
  const steps: Step[] = [];
  let name: string | undefined = startAt ?? processor.StartAt;
  let state: unknown = item;
  while (name) {
    const s: StateDef = processor.States[name]!;
    if (s.Type === 'Task') {
      const task = tasks[name];
      if (!task) throw new Error(`no handler for Task state ${name}`);
      try {
        state = await task(state);
        steps.push({ state: name, output: state });
      } catch (err) {
        const e = err as Error;
        steps.push({ state: name, error: e.name });
        const c = s.Catch?.find((x) => x.ErrorEquals.includes('States.ALL') || x.ErrorEquals.includes(e.name));
        if (!c) throw err;
        // What Step Functions puts at ResultPath for a Lambda error.
        const caught = { Error: e.name, Cause: JSON.stringify({ errorType: e.name, errorMessage: e.message }) };
        state = writePath(state as Json, c.ResultPath, caught);
        name = c.Next;
        continue;
      }
    } else if (s.Type === 'Pass') {
      state = s.Parameters ? evaluate(s.Parameters, state as Json, {}) : state;
      steps.push({ state: name, output: state });
    } else {
      throw new Error(`unsupported state type ${s.Type} (${name})`);
    }
    name = s.End ? undefined : s.Next;
  }
  return { result: state, steps };
}

function evaluate(params: Json, input: Json, context: Json): unknown {
  const out: Json = {};
  for (const [k, v] of Object.entries(params)) {
    if (k.endsWith('.$')) out[k.slice(0, -2)] = typeof v === 'string' && v.startsWith('$$.') ? read(context, `$${v.slice(2)}`) : read(input, v as string);
    else out[k] = v !== null && typeof v === 'object' && !Array.isArray(v) ? evaluate(v as Json, input, context) : v;
  }
  return out;
}

function read(obj: unknown, path: string): unknown {
  if (!/^\$(\.[A-Za-z_][\w]*)*$/.test(path)) throw new Error(`unsupported JSONPath ${path}`);
  let cur: unknown = obj;
  for (const part of path.split('.').slice(1)) {
    if (cur === null || typeof cur !== 'object' || !(part in cur)) throw new Error(`States.Runtime: path ${path} not found`);
    cur = (cur as Json)[part];
  }
  return cur;
}

function writePath(obj: Json, path: string, value: unknown): Json {
  const m = /^\$\.([A-Za-z_]\w*)$/.exec(path);
  if (!m) throw new Error(`unsupported ResultPath ${path}`);
  return { ...obj, [m[1]!]: value };
}

import { describe, expect, it } from 'vitest';
import { ListSyntaxError, scanList } from '../../../functions/adapters/kubernetes/list-scanner.js';

function scan(text: string): { fields: Record<string, unknown>; items: unknown[]; hasItems: boolean } {
  const items: unknown[] = [];
  const r = scanList(Buffer.from(text), (i) => items.push(i));
  expect(r.items).toEqual(items.length);
  return { fields: r.fields, items, hasItems: r.hasItems };
}

describe('scanList()', () => {
  it.each([
    ['a compact list', '{"kind":"PodList","metadata":{"continue":"abc","resourceVersion":"7"},"items":[{"a":1},{"b":[1,{"c":"}"}]}]}'],
    [
      'a pretty-printed list with metadata after items',
      '{\n  "items": [\n    {"a": 1},\n    {"b": [1, {"c": "}"}]}\n  ],\n  "metadata": {"continue": "abc", "resourceVersion": "7"},\n  "kind": "PodList"\n}\n',
    ],
  ])('returns every item and the other fields of %s', (_name, text) => {
    const r = scan(text);

    expect(r).toEqual({
      fields: { kind: 'PodList', metadata: { continue: 'abc', resourceVersion: '7' } },
      items: [{ a: 1 }, { b: [1, { c: '}' }] }],
      hasItems: true,
    });
  });

  it('honours escaped quotes, backslashes and non-ASCII text inside strings', () => {
    const item = { s: 'say "hi" \\', t: 'ünïcødé ✓ {[', n: -1.5e3, z: null, f: false };

    const r = scan(JSON.stringify({ items: [item, item], metadata: {} }));

    expect(r.items).toEqual([item, item]);
  });

  it('reports an empty items array and a list without one', () => {
    expect(scan('{"items":[],"metadata":{}}')).toEqual({ fields: { metadata: {} }, items: [], hasItems: true });
    expect(scan('{"kind":"Status","code":500}')).toEqual({ fields: { kind: 'Status', code: 500 }, items: [], hasItems: false });
  });

  it.each([
    ['truncated', '{"items":[{"a":1},{"b":'],
    ['an unterminated string', '{"items":[{"a":"x}]}'],
    ['not an object', '[1,2]'],
    ['trailing data', '{"items":[]} x'],
    ['an invalid item', '{"items":[{a:1}]}'],
  ])('throws ListSyntaxError on %s', (_name, text) => {
    expect(() => scan(text)).toThrow(ListSyntaxError);
  });

  it.each([
    ['a key in the middle', '{"items":[{"metadata":{"name":"a","managedFields":[{"f":{"x":"}"}}],"uid":"1"}}]}', { metadata: { name: 'a', uid: '1' } }],
    ['the last key, pretty-printed', '{"items":[{"metadata": {"name": "a" ,\n  "managedFields" : [ {} ] \n}}]}', { metadata: { name: 'a' } }],
    ['the only key', '{"items":[{"metadata":{"managedFields":[]},"images":[1]}]}', { metadata: {} }],
    ['keys at several depths', '{"items":[{"images":{"images":1},"a":"images","b":{"images":[]}}]}', { a: 'images', b: {} }],
  ])('cuts dropped keys out of items: %s', (_name, text, expected) => {
    const items: unknown[] = [];

    scanList(Buffer.from(text), (i) => items.push(i), { dropKeys: ['managedFields', 'images'] });

    expect(items).toEqual([expected]);
  });

  it('passes on only the items that contain the wanted string, and still counts all', () => {
    const ds = { kind: 'Pod', metadata: { ownerReferences: [{ kind: 'DaemonSet' }] } };
    const rs = { kind: 'Pod', metadata: { ownerReferences: [{ kind: 'ReplicaSet' }], labels: { a: 'DaemonSetX' } } };
    const items: unknown[] = [];

    const r = scanList(Buffer.from(JSON.stringify({ items: [rs, ds, rs, rs, ds, rs] })), (i) => items.push(i), { onlyContaining: 'DaemonSet' });

    expect(items).toEqual([ds, ds]);
    expect(r.items).toEqual(6);
  });
});

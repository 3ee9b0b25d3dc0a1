// Text files as people save them: UTF-8 with or without a byte order mark, and UTF-16 with one
// (Windows PowerShell 5.1 writes `kubectl get … -o json > dump.json` as UTF-16LE).

/** Returns the text of a file's bytes: UTF-16 (LE or BE) when a byte order mark says so, else UTF-8; the mark itself is dropped. */
export function decodeText(bytes: Buffer): string {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.toString('utf16le', 2);
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  const start = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  return bytes.toString('utf8', start);
}

/** At most `maxBytes` of UTF-8 (default 2 KB), cut with an ellipsis. */
export function excerpt(text: string, maxBytes = 2048): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  const cut = Buffer.from(text, 'utf8').subarray(0, maxBytes - 3).toString('utf8').replace(/\uFFFD+$/, '');
  return `${cut}…`;
}

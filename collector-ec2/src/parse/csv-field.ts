/** Serialises fields back to one CSV line (RFC 4180 quoting), for quarantine records. */
export function toCsvLine(fields: ReadonlyArray<string>): string {
  return fields.map((field) => (/[",\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field)).join(',');
}

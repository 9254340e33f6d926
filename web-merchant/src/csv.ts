/** CSV download in the browser: a UTF-8 BOM so Excel reads Chinese, fields quoted when needed. */
export function downloadCsv(filename: string, header: string[], rows: Array<Array<string | number>>) {
  const cell = (v: string | number) => {
    const s = String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const text = [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n');
  saveFile(filename, new Blob(['\uFEFF', text], { type: 'text/csv;charset=utf-8' }));
}

/** Saves bytes the page holds (built here, or fetched with the token) as a download. */
export function saveFile(filename: string, blob: Blob) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

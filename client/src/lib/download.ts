// Saving something the page holds as a file: a temporary object URL, clicked on a hidden link.

/** Offers `blob` as a download named `name`. The URL is revoked a minute later (the browser has started the download by then). */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Offers `text` as a download named `name`, of the given MIME type. */
export function saveText(text: string, name: string, type: string): void {
  saveBlob(new Blob([text], { type }), name);
}

/**
 * Binary detection shared by read, scan and search: a file is text when its first 8 KB hold no NUL byte and decode
 * as UTF-8. Extensions let the walkers skip obvious binaries without opening them.
 */

/** How much of a file is sniffed. */
export const SNIFF_BYTES = 8192;

/** True when the bytes look binary: a NUL, or invalid UTF-8 (a multi-byte sequence cut at the end is allowed). */
export function looksBinary(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, SNIFF_BYTES);
  if (head.includes(0)) return true;
  try {
    // `stream: true` keeps an incomplete trailing sequence pending instead of calling it invalid.
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
    return false;
  } catch {
    return true;
  }
}

/** Decodes a whole buffer as strict UTF-8; undefined when it is not valid UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** Extensions that are never text; scan and search skip them unopened. */
export const BINARY_EXTENSIONS = new Set(
  (
    'png jpg jpeg gif bmp ico webp tif tiff psd avif heic mp3 mp4 m4a wav ogg flac avi mov mkv webm ' +
    'zip gz tgz bz2 xz 7z rar tar zst jar war ear class pyc pyo so dll dylib exe bin o a lib obj wasm ' +
    'pdf doc docx xls xlsx ppt pptx odt ttf otf woff woff2 eot sqlite sqlite3 db pack idx node dat'
  ).split(' '),
);

/** True when the name's extension is a known binary one. */
export function hasBinaryExtension(name: string): boolean {
  const dot = name.lastIndexOf('.');
  return dot > 0 && BINARY_EXTENSIONS.has(name.slice(dot + 1).toLowerCase());
}

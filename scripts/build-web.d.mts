/** Types of scripts/build-web.mjs (the control panel build). */
export interface WebBuildResult {
  /** Hashed file names in web/dist/. */
  js: string;
  css: string;
  /** JS + CSS, raw and gzip-compressed. */
  bytes: number;
  gzipBytes: number;
}
export function buildWeb(options?: { quiet?: boolean; minify?: boolean }): Promise<WebBuildResult>;

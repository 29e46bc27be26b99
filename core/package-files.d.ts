/**
 * Single files of CommonJS packages that the host imports by file, not through the package's entry (which loads far
 * more than the host uses, issue #16). The packages ship no declarations for these files: each is typed where it is
 * imported, from the package's own types.
 */
declare module 'prom-client/lib/*' {
  const value: unknown;
  export default value;
}
declare module 'co-body/lib/*' {
  const value: unknown;
  export default value;
}

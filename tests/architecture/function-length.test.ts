/**
 * The core reads top-down (issue #12): no function in core/, plugins/ or scripts/ is longer than 60 lines. Each file is
 * parsed with the TypeScript compiler API, and every function — declarations, methods, arrows, function expressions,
 * accessors and constructors — is measured from its first to its last line (comments and blank lines inside count,
 * as a reader sees them). There is no allow-list: a long function is split into named steps.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { ROOT } from '../helpers/server.ts';

const MAX_LINES = 60;
const ROOTS = ['core', 'plugins', 'scripts'];



/** Every non-test .ts file under the roots (node_modules, dist and dot-folders skipped). */
function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(full));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

type FunctionNode = ts.FunctionLikeDeclaration;

function isFunction(node: ts.Node): node is FunctionNode {
  return (
    ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isArrowFunction(node) || ts.isFunctionExpression(node) ||
    ts.isConstructorDeclaration(node) || ts.isGetAccessorDeclaration(node) || ts.isSetAccessorDeclaration(node)
  );
}

/** The name a reader would use: its own, the variable or property it is assigned to, else `<anonymous>`. */
function nameOf(node: FunctionNode): string {
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  if (node.name) return node.name.getText();
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) return parent.name.getText();
  return '<anonymous>';
}

/** `file:line name (N lines)` for each function of `file` over the limit. */
function longFunctions(file: string, text: string): Array<{ key: string; where: string; lines: number }> {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: Array<{ key: string; where: string; lines: number }> = [];
  const visit = (node: ts.Node) => {
    if (isFunction(node) && node.body) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = last - first + 1;
      const name = nameOf(node);
      if (lines > MAX_LINES) found.push({ key: `${file}#${name}`, where: `${file}:${first + 1} ${name}`, lines });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

test(`no function in ${ROOTS.join(', ')} is longer than ${MAX_LINES} lines`, () => {
  const offenders: string[] = [];
  for (const root of ROOTS) {
    for (const abs of sourceFiles(path.join(ROOT, root))) {
      const rel = path.relative(ROOT, abs).split(path.sep).join('/');
      for (const f of longFunctions(rel, readFileSync(abs, 'utf8'))) {
        offenders.push(`${f.where} (${f.lines} lines)`);
      }
    }
  }
  assert.deepEqual(offenders, [], `functions over ${MAX_LINES} lines — split each into named steps:\n${offenders.join('\n')}`);
});

test('the measure sees every kind of function, and names it', () => {
  const body = (n: number) => Array.from({ length: n }, (_, i) => `  const v${i} = ${i};`).join('\n');
  const text = [
    `export function declared() {\n${body(61)}\n}`,
    `const arrow = () => {\n${body(61)}\n};`,
    `const expr = function () {\n${body(61)}\n};`,
    `class C {\n  method() {\n${body(61)}\n  }\n  constructor() {\n${body(61)}\n  }\n  get value() {\n${body(61)}\n    return 1;\n  }\n}`,
    `const o = { prop: () => {\n${body(61)}\n} };`,
    `export function short() {\n${body(58)}\n}`,
  ].join('\n');
  const names = longFunctions('x.ts', text).map((f) => f.key);
  assert.deepEqual(names.sort(), ['x.ts#arrow', 'x.ts#constructor', 'x.ts#declared', 'x.ts#expr', 'x.ts#method', 'x.ts#prop', 'x.ts#value'].sort());
});

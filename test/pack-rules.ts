// What the published tarball may and must hold: shared by test/package.test.ts (npm pack --dry-run)
// and scripts/test-runtimes.mjs (the real tarball, after a build).

/** Users need the compiled ESM, its types, the .wasm, the README, the manifest and a license. */
const ALLOWED = /^(package\.json|README\.md|LICENSE(\.md|\.txt)?|dist\/[\w/.-]+\.(js|d\.ts)|dist\/slimtensor\.wasm)$/;
const NEVER = /(^|\/)(test|tests|__tests__|bench|assembly|scripts|src|node_modules|\.runtimes)\/|\.test\.|\.map$|\.tgz$/;

interface Manifest { main?: string; types?: string; exports: Record<string, string | Record<string, string>> }

/** Every file an export condition, `main` or `types` points at. */
export function exportTargets(pkg: Manifest): string[] {
  const targets = Object.values(pkg.exports).flatMap((v) => (typeof v === 'string' ? [v] : Object.values(v)));
  return [...new Set([pkg.main, pkg.types, ...targets].filter((t): t is string => !!t).map((t) => t.replace(/^\.\//, '')))];
}

/** The reasons `files` (tarball paths) break the rules; `complete` also demands every export target. */
export function packProblems(files: readonly string[], pkg: Manifest, complete: boolean): string[] {
  const problems = files.filter((f) => !ALLOWED.test(f) || NEVER.test(f)).map((f) => `${f} should not be published`);
  const need = complete ? ['package.json', 'README.md', ...exportTargets(pkg)] : ['package.json', 'README.md'];
  for (const f of need) if (!files.includes(f)) problems.push(`${f} is missing from the tarball`);
  return problems;
}

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

interface PackageJson {
  name?: string;
  version?: string;
}

function readPackageJson(dir: string): PackageJson | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
  } catch {
    return undefined;
  }
}

/**
 * The installed package's root folder: the nearest folder above this module
 * whose package.json is pitcrew's. Walking up, rather than a fixed number of
 * `..`, finds it from the tsc output (dist/src/...) and from the bundle
 * (dist/bundle/cli/...) alike, whatever file of either this code ends up in.
 * Undefined when there is none (the code was copied out of its package).
 */
export function packageRoot(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (readPackageJson(dir)?.name === 'pitcrew') return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** The package version from package.json; 0.0.0 when the package root cannot be found. */
export function packageVersion(): string {
  const root = packageRoot();
  return (root === undefined ? undefined : readPackageJson(root)?.version) ?? '0.0.0';
}

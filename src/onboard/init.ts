/**
 * `pitcrew init`: writes a commented pitcrew.yml and a deploy workflow into a
 * repository. It decides every file first and refuses as a whole: when any
 * file exists and --force was not given, it names each one and writes
 * nothing. It must never ask a question (flags only) nor write outside --dir.
 */
import { basename, join } from 'node:path';
import { UsageError } from '../errors.js';
import { applyPlan, readExisting, type FileChange, type PlannedFile } from './file-plan.js';
import { renderConfig, secretVariables, type InitOptions, type InitTransport } from './init-config.js';
import { renderWorkflow } from './init-workflow.js';
import { checkName } from './names.js';

export interface InitRequest {
  dir: string;
  environments: string[];
  transport: string;
  project?: string;
  force: boolean;
}

export interface InitResult {
  changes: FileChange[];
  /** Variables the generated files read; set them (or the GitHub secrets of the same name) before deploying. */
  secrets: string[];
}

export const INIT_FILES = ['pitcrew.yml', '.github/workflows/deploy.yml'] as const;
export const MAX_ENVIRONMENTS = 20;

/** The project name from the folder's name when none is given, made into a valid name. */
function projectFrom(dir: string): string {
  const cleaned = basename(dir).replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 64);
  return cleaned.length > 0 ? cleaned : 'app';
}

function options(req: InitRequest): InitOptions {
  if (req.transport !== 'ssh' && req.transport !== 'local') {
    throw new UsageError(`--transport ${JSON.stringify(req.transport)} is not one of ssh, local`, { hint: 'pass --transport ssh (hosts) or --transport local (folders on the runner host)' });
  }
  const environments = req.environments.length === 0 ? ['staging', 'production'] : req.environments;
  const dupes = environments.filter((e, i) => environments.indexOf(e) !== i);
  if (dupes.length > 0) throw new UsageError(`--env ${dupes[0]} is given twice`, { hint: 'name each environment once' });
  if (environments.length > MAX_ENVIRONMENTS) throw new UsageError(`init writes at most ${MAX_ENVIRONMENTS} environments, got ${environments.length}`);
  for (const e of environments) checkName('environment name', e);
  return {
    project: checkName('project name', req.project ?? projectFrom(req.dir)),
    environments,
    transport: req.transport as InitTransport,
  };
}

export async function runInit(req: InitRequest): Promise<InitResult> {
  const o = options(req);
  const contents: Record<(typeof INIT_FILES)[number], string> = {
    'pitcrew.yml': renderConfig(o),
    '.github/workflows/deploy.yml': renderWorkflow(o),
  };
  const files: PlannedFile[] = INIT_FILES.map((f) => ({ path: join(req.dir, f), content: contents[f], mode: 0o644, policy: 'replace' }));
  if (!req.force) {
    const existing: string[] = [];
    for (const f of files) if ((await readExisting(f.path)) !== undefined) existing.push(f.path);
    if (existing.length > 0) {
      throw new UsageError(`init would overwrite ${existing.length === 1 ? 'a file' : 'files'} that already exist: ${existing.join(', ')}; nothing was written`, {
        code: 'onboard.would-overwrite',
        hint: 'move them aside, or pass --force to overwrite them',
      });
    }
  }
  return { changes: await applyPlan(files), secrets: ['PITCREW_DEPLOYER_TOKEN', ...secretVariables(o.transport)] };
}

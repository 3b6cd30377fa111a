/**
 * SecretMasker: the one place that knows the process's secrets. Values are
 * registered with where they came from; every form of each (forms.ts) goes into
 * one automaton, rebuilt lazily when secrets are added. It masks whole strings,
 * hands out streams for output, and guards what is kept or published. It must
 * never reveal a value: warnings and errors name the source, never the secret.
 */
import { Automaton } from './automaton.js';
import { UnmaskedSecretError } from './errors.js';
import { MIN_SECRET_LENGTH, secretForms } from './forms.js';
import { TRIGGERS } from './scanners.js';
import { MaskStream, type AutomatonSource } from './stream.js';
import type { ExitCode } from '../errors.js';

export type FormsListener = (forms: string[]) => void;
export type WarningListener = (message: string) => void;

export class SecretMasker implements AutomatonSource {
  private readonly values = new Set<string>();
  private readonly formSet = new Set<string>();
  private readonly formListeners: FormsListener[] = [];
  private readonly warningListeners: WarningListener[] = [];
  private built: Automaton | undefined;
  private builtVersion = -1;
  /** Grows each time a form is added; streams compare it to rebuild. */
  version = 0;
  /** Every warning so far, e.g. a value too short to mask. Never contains a value. */
  readonly warnings: string[] = [];

  /**
   * Registers a secret and every form of it. `source` says where it came from
   * (`$DEPLOY_KEY`, `secrets.env:3`) and is the only thing warnings name.
   * Returns true when the value is now masked. Undefined and empty values are ignored.
   */
  register(value: string | undefined, source: string): boolean {
    if (value === undefined || value.length === 0) return false;
    if ([...value].length < MIN_SECRET_LENGTH) {
      this.warn(`the secret from ${source} is shorter than ${MIN_SECRET_LENGTH} characters and is not masked; use a longer secret`);
      return false;
    }
    if (this.values.has(value)) return true;
    this.values.add(value);
    const added = secretForms(value).filter((f) => !this.formSet.has(f));
    for (const f of added) this.formSet.add(f);
    if (added.length > 0) {
      this.version++;
      for (const l of this.formListeners) l(added);
    }
    return true;
  }

  /** Every registered form, in registration order. */
  forms(): string[] {
    return [...this.formSet];
  }

  /** Calls `listener` with the forms added by each later registration. */
  onForms(listener: FormsListener): void {
    this.formListeners.push(listener);
  }

  /** Calls `listener` with each later warning. */
  onWarning(listener: WarningListener): void {
    this.warningListeners.push(listener);
  }

  warn(message: string): void {
    this.warnings.push(message);
    for (const l of this.warningListeners) l(message);
  }

  automaton(): Automaton {
    if (this.built === undefined || this.builtVersion !== this.version) {
      this.built = new Automaton([
        ...[...this.formSet].map((text) => ({ text, literal: true, trigger: 0 })),
        ...TRIGGERS.map((t) => ({ text: t.text, literal: false, trigger: t.trigger })),
      ]);
      this.builtVersion = this.version;
    }
    return this.built;
  }

  /** A stateful stream for output that arrives in chunks. */
  stream(): MaskStream {
    return new MaskStream(this);
  }

  /** Masks a whole string. */
  mask(text: string): string {
    const s = this.stream();
    return s.write(text) + s.end();
  }

  /** True when `text` contains any registered form in clear. */
  containsSecret(text: string): boolean {
    const ac = this.automaton();
    let s = 0;
    for (let i = 0; i < text.length; i++) {
      const c = ac.cls[text.charCodeAt(i)];
      s = c === 0 ? 0 : ac.step(s, c);
      if (ac.out[s] !== 0) return true;
    }
    return false;
  }

  /**
   * Throws UnmaskedSecretError naming `where` (never the value) when `text`
   * contains a registered form in clear. Stores call it before keeping text.
   */
  assertNoSecret(text: string, where: string, exitCode?: ExitCode): void {
    if (this.containsSecret(text)) throw new UnmaskedSecretError(where, { exitCode });
  }
}

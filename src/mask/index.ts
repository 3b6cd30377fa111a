/**
 * The masker's public surface: everything other modules should import from
 * src/mask. Nothing here prints; it only masks and guards.
 */
export { SecretMasker, type FormsListener, type WarningListener } from './masker.js';
export { MaskStream, MASK } from './stream.js';
export { maskedSink, lineTracking, type MaskedSink, type LineTrackingSink } from './sink.js';
export { UnmaskedSecretError } from './errors.js';
export { secretForms, base64Forms, MIN_SECRET_LENGTH } from './forms.js';
export { registerEnvSecrets, registerSecretsFile, tokenFromArgv, WELL_KNOWN_SECRET_ENV } from './sources.js';

/**
 * GitHub Actions conventions: workflow commands, add-mask announcements, and
 * the $GITHUB_OUTPUT / $GITHUB_ENV / $GITHUB_STEP_SUMMARY files.
 */
export { escapeData, escapeProperty, formatCommand, annotation, addMaskCommand, truncate, ANNOTATION_TITLE_MAX, ANNOTATION_MESSAGE_MAX, type AnnotationLevel, type AnnotationProperties } from './commands.js';
export { announceMasks, isGithubActions, shouldAnnounceMasks } from './add-mask.js';
export { setOutput, exportVariable, appendStepSummary, heredocEntry, nodeFiles, STEP_SUMMARY_MAX_BYTES, type FilePort, type ActionsFilesOptions } from './files.js';

/**
 * The one place the runtime reaches snapshot files (the format belongs to src/state): one immutable
 * file per operator subtask, read back for any new key-group range.
 */
export {
  createSnapshotFileWriter,
  openSnapshotReader,
  type SnapshotFileWriterHandle,
  type SnapshotTarget,
} from '../../state/snapshot-file.ts';

// Copying a model out of the app: as the tfjs folder it is kept as (model.json + weights.bin) or
// as one ONNX file (./onnx/). Both are written atomically and never over something already there,
// and both come from files that passed every loading check first.
import { join, resolve } from 'node:path';
import type { ExportFormat, ExportResult } from '../shared/models.ts';
import { writeDirAtomic, type AtomicOptions } from './atomic.ts';
import { libraryError } from './errors.ts';
import type { ModelFiles } from './model-files.ts';
import { modelFolderFiles } from './model-json.ts';
import { exportOnnx } from './onnx/onnx-export.ts';

/**
 * Writes checked model files (read from `dir`) into `folder` as `<title>` (a tfjs folder) or
 * `<title>.onnx`. NAME_TAKEN when that name is already there.
 */
export async function exportModelFiles(
  files: ModelFiles,
  dir: string,
  title: string,
  folder: string,
  format: ExportFormat,
  atomic: AtomicOptions = {},
): Promise<ExportResult> {
  const parent = resolve(folder);
  if (format === 'onnx') {
    const { path } = await exportOnnx(files, dir, title, parent, atomic);
    return { path, format };
  }
  try {
    const meta = { ...(files.meta ?? {}), name: title };
    const written = await writeDirAtomic(join(parent, title), modelFolderFiles(files, meta), {
      ...atomic,
      exclusive: true,
    });
    return { path: written.dir, format };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    throw libraryError(
      'NAME_TAKEN',
      `The folder ${folder} already contains "${title}". Choose another folder or rename the model.`,
    );
  }
}

/**
 * Sample cells: the `forge-sample` / `forge-sample:NAME` tags `%%forge NAME` reads, the
 * badge that shows a tagged cell is one, and the names the tag dialog offers.
 */
import { Cell } from '@jupyterlab/cells';
import { Notebook, NotebookPanel } from '@jupyterlab/notebook';

export const SAMPLE_TAG = 'forge-sample';
/** The class of a tagged cell; CSS draws its badge from `data-forge-sample`. */
export const SAMPLE_CLASS = 'jp-forge-sampleCell';
export const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const FORGE_LINE_RE = /^\s*%%forge\s+(.*)$/;

export function cellTags(cell: Cell): string[] {
  const tags = cell.model.getMetadata('tags');
  return Array.isArray(tags) ? tags.filter(t => typeof t === 'string') : [];
}

/** Cells tagged for `name` (or for any tool) in the notebook, as `%%forge` reads them. */
export function sampleCells(
  notebook: Notebook,
  name: string
): { source: string; tags: string[] }[] {
  const out: { source: string; tags: string[] }[] = [];
  for (const cell of notebook.widgets) {
    const tags = cellTags(cell);
    if (tags.includes(SAMPLE_TAG) || tags.includes(`${SAMPLE_TAG}:${name}`)) {
      out.push({ source: cell.model.sharedModel.getSource(), tags });
    }
  }
  return out;
}

/** The tools a cell's tags make it a sample for ("any tool" for the bare tag). */
export function sampleTargets(tags: string[]): string[] {
  const out: string[] = [];
  for (const tag of tags) {
    if (tag === SAMPLE_TAG) {
      out.push('any tool');
    } else if (tag.startsWith(`${SAMPLE_TAG}:`)) {
      out.push(tag.slice(SAMPLE_TAG.length + 1));
    }
  }
  return out;
}

/** Show or clear one cell's badge, from its tags as they are now. */
export function markCell(cell: Cell): void {
  const targets = sampleTargets(cellTags(cell));
  cell.toggleClass(SAMPLE_CLASS, targets.length > 0);
  if (targets.length) {
    cell.node.dataset.forgeSample = `sample for ${targets.join(', ')}`;
  } else {
    delete cell.node.dataset.forgeSample;
  }
}

/** Keep the badges of every cell of `panel` true as cells come and go and tags change. */
export function watchSampleBadges(panel: NotebookPanel): void {
  const notebook = panel.content;
  const watched = new WeakSet<Cell>();
  const refresh = (): void => {
    for (const cell of notebook.widgets) {
      if (!watched.has(cell)) {
        watched.add(cell);
        cell.model.metadataChanged.connect(() => markCell(cell));
      }
      markCell(cell);
    }
  };
  void panel.context.ready.then(() => {
    refresh();
    notebook.model?.cells.changed.connect(refresh);
  });
}

/** The NAME of a `%%forge NAME` cell (not an edit or agent cell), else null. */
export function forgedName(source: string): string | null {
  const match = FORGE_LINE_RE.exec(source.split('\n', 1)[0]);
  if (!match) {
    return null;
  }
  const words = match[1].trim().split(/\s+/);
  if (words.some(w => w === '--edit' || w === '-e' || w === '--agent')) {
    return null;
  }
  return NAME_RE.test(words[0] ?? '') ? words[0] : null;
}

/**
 * The names the tag dialog offers, best first: the `%%forge` cells below `from` (the
 * nearest first: samples usually sit above their forge cell), the others of the
 * notebook, then `known` (the library's tools).
 */
export function offeredNames(notebook: Notebook, from: number, known: string[]): string[] {
  const cells = notebook.widgets;
  const below: string[] = [];
  const above: string[] = [];
  cells.forEach((cell, index) => {
    const name = forgedName(cell.model.sharedModel.getSource());
    if (name) {
      (index > from ? below : above).push(name);
    }
  });
  return [...new Set([...below, ...above.reverse(), ...known])];
}

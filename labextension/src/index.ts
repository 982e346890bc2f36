/**
 * jupyter-forge: the "Forge Tools" sidebar, the "Mark as forge sample for…" command,
 * delivery of tagged sample cells to `%%forge NAME` cells over the kernel comm, and the
 * approval widget's "Edit in a cell" (a `%%forge --edit NAME` cell below the forge cell).
 */
import {
  ILabShell,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  ICommandPalette,
  InputDialog,
  showErrorMessage
} from '@jupyterlab/apputils';
import { ICodeCellModel } from '@jupyterlab/cells';
import { Kernel } from '@jupyterlab/services';
import {
  INotebookTracker,
  Notebook,
  NotebookActions,
  NotebookPanel
} from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { LabIcon } from '@jupyterlab/ui-components';

import { IToolSummary, listTools } from './api';
import { IEditCellRequest, KernelLink } from './kernel';
import { ForgePanel } from './panel';
import {
  cellTags,
  markCell,
  NAME_RE,
  offeredNames,
  SAMPLE_TAG,
  sampleCells,
  watchSampleBadges
} from './samples';

const ICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
<g class="jp-icon3" fill="#616161">
<path d="M3 6h11v2.2c0 1.6 1.3 2.8 2.9 2.8H21v1.5c-2.6 0-4.6 1.5-5.2 3.5H8.3C7.8 13.8 6 12.3 3.6 12H3z"/>
<path d="M7 18h10v2H7z"/><path d="M10 16h4v2h-4z"/></g></svg>`;

export const forgeIcon = new LabIcon({ name: 'jupyter-forge:anvil', svgstr: ICON_SVG });

const FORGE_CELL_RE = /^\s*%%forge\s+([A-Za-z_][A-Za-z0-9_]*)/;
const WIDGET_MIME = 'application/vnd.jupyter.widget-view+json';

namespace CommandIDs {
  export const markSample = 'jupyter-forge:mark-sample';
  export const openPanel = 'jupyter-forge:open-panel';
}

/** Whether a cell's first line runs `%%forge … NAME …` (a forge, not an edit of one). */
function forgesName(source: string, name: string): boolean {
  const first = source.split('\n', 1)[0];
  if (!/^\s*%%forge\s/.test(first)) {
    return false;
  }
  const words = first.trim().split(/\s+/);
  return words.includes(name) && !words.includes('--edit') && !words.includes('-e');
}

/**
 * The index of the forge cell `request` edits: the cell whose output holds its widget,
 * else the cell with its id, else the last cell that forges its name; -1 if none.
 */
function forgeCellIndex(notebook: Notebook, request: IEditCellRequest): number {
  const cells = notebook.widgets;
  if (request.widgetId) {
    for (let i = 0; i < cells.length; i++) {
      const model = cells[i].model;
      if (model.type !== 'code') {
        continue;
      }
      const outputs = (model as ICodeCellModel).outputs;
      for (let j = 0; j < outputs.length; j++) {
        const view = outputs.get(j).data[WIDGET_MIME] as { model_id?: unknown } | undefined;
        if (view && view.model_id === request.widgetId) {
          return i;
        }
      }
    }
  }
  if (request.cellId) {
    const index = cells.findIndex(cell => cell.model.id === request.cellId);
    if (index >= 0) {
      return index;
    }
  }
  for (let i = cells.length - 1; i >= 0; i--) {
    if (forgesName(cells[i].model.sharedModel.getSource(), request.name)) {
      return i;
    }
  }
  return -1;
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-forge:plugin',
  description: 'Forge Tools panel and sample-cell tagging for jupyter_forge.',
  autoStart: true,
  requires: [INotebookTracker, IRenderMimeRegistry],
  optional: [ILabShell, ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    rendermime: IRenderMimeRegistry,
    labShell: ILabShell | null,
    palette: ICommandPalette | null
  ) => {
    const currentPanel = (): NotebookPanel => {
      const panel = tracker.currentWidget;
      if (!panel) {
        throw new Error('Open a notebook first (and click into a cell).');
      }
      return panel;
    };

    const actions = {
      insertCall(tool: IToolSummary): string {
        const cell = currentPanel().content.activeCell;
        if (!cell || cell.model.type !== 'code') {
          throw new Error('Select a code cell in the notebook to insert the call into.');
        }
        const text = `${tool.name}(${tool.params.join(', ')})`;
        const editor = cell.editor;
        const source = cell.model.sharedModel;
        const offset = editor
          ? editor.getOffsetAt(editor.getCursorPosition())
          : source.getSource().length;
        source.updateSource(offset, offset, text);
        editor?.setCursorPosition(editor.getPositionAt(offset + text.length)!);
        return `Inserted ${text}`;
      },
      async loadIntoKernel(tool: IToolSummary): Promise<string> {
        const panel = currentPanel();
        const kernel = panel.sessionContext.session?.kernel;
        const noKernel =
          'No running kernel for this notebook: start or restart one (Kernel menu), then try again.';
        if (
          !kernel ||
          ['dead', 'unknown', 'restarting', 'autorestarting'].includes(kernel.status) ||
          kernel.connectionStatus !== 'connected'
        ) {
          throw new Error(noKernel);
        }
        // Load the extension quietly, then run the load where its review widget can show.
        try {
          kernel
            .requestExecute({
              code: '%load_ext jupyter_forge',
              silent: true,
              store_history: false
            })
            .done.catch(() => undefined);
        } catch {
          throw new Error(noKernel);
        }
        const notebook = panel.content;
        NotebookActions.insertBelow(notebook);
        const cell = notebook.activeCell;
        if (!cell) {
          throw new Error('Could not add a cell to the notebook.');
        }
        cell.model.sharedModel.setSource(`%forge load ${tool.name}`);
        const ran = await NotebookActions.run(notebook, panel.sessionContext);
        if (!ran) {
          throw new Error(
            `The kernel did not finish %forge load ${tool.name} (did it die?): see the new cell, restart the kernel if needed, and try again.`
          );
        }
        return `Ran %forge load ${tool.name} in ${panel.title.label}${tool.trusted ? '' : ': review it there before it runs'}.`;
      },
      async openNotebook(tool: IToolSummary): Promise<string> {
        if (!tool.notebook) {
          throw new Error(`${tool.library_path} is outside the server root.`);
        }
        await app.commands.execute('docmanager:open', { path: tool.notebook });
        return `Opened ${tool.notebook}`;
      }
    };

    const panel = new ForgePanel(rendermime, actions);
    panel.title.icon = forgeIcon;
    panel.title.caption = 'Forge Tools';
    app.shell.add(panel, 'left', { rank: 650 });

    /** "Edit in a cell": insert the cell below the forge cell (else the active one), select it. */
    const addEditCell = async (
      kernel: Kernel.IKernelConnection,
      request: IEditCellRequest
    ): Promise<string | null> => {
      const panels: NotebookPanel[] = [];
      tracker.forEach(p => {
        if (p.sessionContext.session?.kernel === kernel) {
          panels.push(p);
        }
      });
      if (!panels.length) {
        return 'no open notebook uses this kernel';
      }
      let target: NotebookPanel | null = null;
      let index = -1;
      for (const candidate of panels) {
        index = forgeCellIndex(candidate.content, request);
        if (index >= 0) {
          target = candidate;
          break;
        }
      }
      if (!target) {
        target = panels.find(p => p === tracker.currentWidget) ?? panels[0];
        index = target.content.activeCellIndex;
      }
      const notebook = target.content;
      const model = notebook.model;
      if (!model || model.readOnly) {
        return 'the notebook cannot be edited';
      }
      const at = Math.max(0, Math.min(index + 1, model.cells.length));
      model.sharedModel.insertCell(at, { cell_type: 'code', source: request.source });
      notebook.activeCellIndex = at;
      notebook.deselectAll();
      const added = notebook.widgets[at];
      if (added) {
        await notebook.scrollToCell(added).catch(() => undefined);
      }
      return null;
    };

    const link = new KernelLink(() => panel.toolsChanged(), addEditCell);
    tracker.widgetAdded.connect((_, notebookPanel) => {
      link.watch(notebookPanel.sessionContext);
      watchSampleBadges(notebookPanel);
    });

    // Samples ride on the comm just before the execute request of a %%forge cell.
    NotebookActions.executionScheduled.connect((_, { notebook, cell }) => {
      const match = FORGE_CELL_RE.exec(cell.model.sharedModel.getSource());
      const owner = tracker.find(p => p.content === notebook);
      const kernel = owner?.sessionContext.session?.kernel;
      if (!kernel) {
        return;
      }
      if (match) {
        link.send(kernel, {
          event: 'sample_cells',
          name: match[1],
          cells: sampleCells(notebook, match[1])
        });
      }
    });
    // Once the extension is loaded in a kernel, keep a comm open to hear tools_changed.
    NotebookActions.executed.connect((_, { notebook, cell, success }) => {
      const source = cell.model.sharedModel.getSource();
      if (!success || !/jupyter_forge|%forge/.test(source)) {
        return;
      }
      const owner = tracker.find(p => p.content === notebook);
      const kernel = owner?.sessionContext.session?.kernel;
      if (kernel) {
        link.ensure(kernel);
      }
    });

    app.commands.addCommand(CommandIDs.markSample, {
      label: args => (args.toolbar ? '' : 'Mark as forge sample for…'),
      caption: 'Mark as forge sample for… (tag this cell so `%%forge NAME` uses it)',
      icon: args => (args.toolbar ? forgeIcon : undefined),
      isEnabled: () => Boolean(tracker.activeCell),
      execute: async () => {
        const cell = tracker.activeCell;
        if (!cell) {
          await showErrorMessage('Mark as forge sample', 'Select a notebook cell first.');
          return;
        }
        const notebook = tracker.currentWidget?.content;
        let known: string[] = [];
        try {
          known = (await listTools('')).tools.map(tool => tool.name);
        } catch {
          known = []; // the server extension is off or down: offer the notebook's names
        }
        const names = notebook ? offeredNames(notebook, notebook.activeCellIndex, known) : known;
        const answer = await InputDialog.getItem({
          title: 'Mark as forge sample for…',
          label: 'Tool name (the NAME in %%forge NAME)',
          items: names,
          current: names[0] ?? '',
          editable: true,
          placeholder: 'a tool name'
        });
        if (!answer.button.accept) {
          return;
        }
        const name = (answer.value ?? '').trim();
        if (!NAME_RE.test(name)) {
          await showErrorMessage(
            'Mark as forge sample',
            `“${name}” is not a tool name: use letters, digits and underscores, not starting with a digit.`
          );
          return;
        }
        const tags = cellTags(cell);
        const tag = `${SAMPLE_TAG}:${name}`;
        if (!tags.includes(tag)) {
          cell.model.setMetadata('tags', [...tags, tag]);
        }
        markCell(cell);
      }
    });
    app.commands.addCommand(CommandIDs.openPanel, {
      label: 'Show Forge Tools',
      execute: () => {
        if (labShell) {
          labShell.activateById(panel.id);
        } else {
          app.shell.activateById(panel.id);
        }
      }
    });
    app.contextMenu.addItem({
      command: CommandIDs.markSample,
      selector: '.jp-Notebook .jp-Cell',
      rank: 30
    });
    if (palette) {
      palette.addItem({ command: CommandIDs.markSample, category: 'Forge' });
      palette.addItem({ command: CommandIDs.openPanel, category: 'Forge' });
    }
  }
};

export default plugin;

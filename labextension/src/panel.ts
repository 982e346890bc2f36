/**
 * The "Forge Tools" sidebar: tools of every library in reach, a search box, and the
 * selected tool's code, samples, history and stats with its actions.
 *
 * It reads only through the server extension, so it works with no kernel; it polls
 * the list (cheap: one small JSON) and refreshes at once when a kernel says so.
 */
import { InputDialog } from '@jupyterlab/apputils';
import { IRenderMimeRegistry, MimeModel } from '@jupyterlab/rendermime';
import { Widget } from '@lumino/widgets';

import {
  deprecateTool,
  ForgeAPIError,
  getTool,
  IToolDetail,
  IToolList,
  IToolSummary,
  listTools
} from './api';
import { plural, timeElement } from './format';

export interface IPanelActions {
  insertCall(tool: IToolSummary): string;
  loadIntoKernel(tool: IToolSummary): Promise<string>;
  openNotebook(tool: IToolSummary): Promise<string>;
}

const POLL_MS = 4000;

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className = '',
  text = ''
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text) {
    node.textContent = text;
  }
  return node;
}

function errorText(error: unknown): string {
  if (error instanceof ForgeAPIError) {
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

export class ForgePanel extends Widget {
  constructor(
    private rendermime: IRenderMimeRegistry,
    private actions: IPanelActions
  ) {
    super();
    this.id = 'jupyter-forge-panel';
    this.addClass('jp-ForgeTools');
    const header = el('div', 'jp-ForgeTools-header');
    header.appendChild(el('h2', 'jp-ForgeTools-title', 'Forge Tools'));
    this.search = el('input', 'jp-ForgeTools-search jp-mod-styled');
    this.search.type = 'search';
    this.search.placeholder = 'Search tools…';
    this.search.setAttribute('aria-label', 'Search tools');
    this.search.addEventListener('input', () => {
      window.clearTimeout(this.searchTimer);
      this.searchTimer = window.setTimeout(() => void this.refresh(), 250);
    });
    const refresh = el('button', 'jp-Button jp-mod-minimal jp-ForgeTools-refresh', '⟳');
    refresh.title = 'Refresh the list';
    refresh.setAttribute('aria-label', 'Refresh the list');
    refresh.addEventListener('click', () => this.toolsChanged());
    const row = el('div', 'jp-ForgeTools-searchRow');
    row.append(this.search, refresh);
    header.appendChild(row);
    this.message = el('div', 'jp-ForgeTools-message');
    this.list = el('ul', 'jp-ForgeTools-list');
    this.detail = el('div', 'jp-ForgeTools-detail');
    this.node.append(header, this.message, this.list, this.detail);
  }

  /** Re-read the list (and the selected tool); errors go to the message line. */
  async refresh(): Promise<void> {
    const query = this.search.value.trim();
    let data: IToolList;
    try {
      data = await listTools(query);
    } catch (error) {
      this.showMessage(errorText(error), 'error');
      return;
    }
    this.setPoll(data.poll_seconds);
    const key = JSON.stringify(data);
    if (key === this.lastList) {
      return;
    }
    this.lastList = key;
    this.renderList(data);
    if (this.selected) {
      const still = data.tools.find(
        t => t.name === this.selected!.name && t.library === this.selected!.library
      );
      if (still) {
        await this.select(still, false);
      }
    }
  }

  /** Called when a kernel says a tool was approved, saved or removed. */
  toolsChanged(): void {
    this.lastList = '';
    void this.refresh();
  }

  protected onAfterAttach(): void {
    void this.refresh();
    this.setPoll(this.pollSeconds);
  }

  /** Poll as often as the server says (ForgeTools.poll_seconds; 0 = kernel events only). */
  private setPoll(seconds: number | undefined): void {
    const wanted = typeof seconds === 'number' && seconds >= 0 ? seconds : POLL_MS / 1000;
    if (wanted === this.pollSeconds && this.poll) {
      return;
    }
    this.pollSeconds = wanted;
    window.clearInterval(this.poll);
    this.poll = 0;
    if (wanted > 0 && this.isAttached) {
      this.poll = window.setInterval(
        () => {
          if (this.isVisible && document.visibilityState === 'visible') {
            void this.refresh();
          }
        },
        Math.max(wanted * 1000, 500)
      );
    }
  }

  protected onBeforeDetach(): void {
    window.clearInterval(this.poll);
    this.poll = 0;
  }

  protected onAfterShow(): void {
    void this.refresh();
  }

  private showMessage(text: string, kind: 'error' | 'info' | '' = 'info'): void {
    this.message.textContent = text;
    this.message.dataset.kind = kind;
    this.message.style.display = text ? '' : 'none';
  }

  private renderList(data: IToolList): void {
    this.list.replaceChildren();
    const notes: string[] = [];
    const missing = data.libraries.filter(l => !l.exists);
    if (data.tools.length === 0) {
      notes.push(
        data.query
          ? `No tool matches “${data.query}”.`
          : 'No tools yet: forge one with %%forge NAME in a notebook.'
      );
      if (missing.length === data.libraries.length) {
        notes.push(missing.map(l => l.message).join(' '));
      }
    }
    if (data.errors.length) {
      notes.push(`Skipped ${data.errors.length} unreadable notebook(s): ${data.errors.join('; ')}`);
    }
    this.showMessage(notes.join(' '), data.errors.length ? 'error' : 'info');
    for (const tool of data.tools) {
      const item = el('li', 'jp-ForgeTools-item');
      item.dataset.name = tool.name;
      item.dataset.status = tool.status;
      item.tabIndex = 0;
      const top = el('div', 'jp-ForgeTools-itemTop');
      top.appendChild(el('code', 'jp-ForgeTools-name', tool.name));
      top.appendChild(el('span', 'jp-ForgeTools-version', `v${tool.version}`));
      top.appendChild(
        el('span', `jp-ForgeTools-status jp-ForgeTools-status-${tool.status}`, tool.status)
      );
      if (tool.calls !== null) {
        top.appendChild(el('span', 'jp-ForgeTools-calls', plural(tool.calls, 'call')));
      }
      item.appendChild(top);
      item.appendChild(el('div', 'jp-ForgeTools-description', tool.description));
      item.appendChild(el('div', 'jp-ForgeTools-library', `${tool.library} library`));
      item.title = `${tool.signature}\n${tool.library_path}`;
      if (
        this.selected &&
        this.selected.name === tool.name &&
        this.selected.library === tool.library
      ) {
        item.classList.add('jp-mod-selected');
      }
      item.addEventListener('click', () => void this.select(tool, true));
      item.addEventListener('keydown', event => {
        if (event.key === 'Enter') {
          void this.select(tool, true);
        }
      });
      this.list.appendChild(item);
    }
  }

  private async select(tool: IToolSummary, userAction: boolean): Promise<void> {
    this.selected = tool;
    for (const item of Array.from(this.list.children)) {
      const node = item as HTMLElement;
      node.classList.toggle('jp-mod-selected', node.dataset.name === tool.name);
    }
    let detail: IToolDetail;
    try {
      detail = await getTool(tool.name, tool.library);
    } catch (error) {
      this.detail.replaceChildren(el('div', 'jp-ForgeTools-error', errorText(error)));
      return;
    }
    if (!userAction && JSON.stringify(detail) === this.lastDetail) {
      return;
    }
    this.lastDetail = JSON.stringify(detail);
    await this.renderDetail(detail);
  }

  private async renderDetail(tool: IToolDetail): Promise<void> {
    const box = el('div', 'jp-ForgeTools-tool');
    box.dataset.name = tool.name;
    const head = el('div', 'jp-ForgeTools-toolHead');
    head.appendChild(el('code', 'jp-ForgeTools-signature', tool.signature || tool.name));
    head.appendChild(
      el('span', `jp-ForgeTools-status jp-ForgeTools-status-${tool.status}`, tool.status)
    );
    box.appendChild(head);
    if (tool.full_description) {
      box.appendChild(el('p', 'jp-ForgeTools-fullDescription', tool.full_description));
    }
    if (tool.deprecated) {
      const why = tool.deprecated.reason ? `: ${tool.deprecated.reason}` : '';
      box.appendChild(
        el('p', 'jp-ForgeTools-warning', `Deprecated by ${tool.deprecated.by ?? '?'}${why}`)
      );
    }
    if (!tool.trusted) {
      box.appendChild(
        el(
          'p',
          'jp-ForgeTools-warning',
          'Not trusted on this machine: “Load into kernel” shows it for review first.'
        )
      );
    }
    const status = el('div', 'jp-ForgeTools-actionStatus');
    const buttons = el('div', 'jp-ForgeTools-actions');
    const button = (label: string, run: () => Promise<string> | string, why = '') => {
      const b = el('button', 'jp-Button jp-mod-styled jp-mod-reject jp-ForgeTools-action', label);
      b.dataset.action = label;
      if (why) {
        b.disabled = true;
        b.title = why;
      }
      b.addEventListener('click', async () => {
        b.disabled = true;
        try {
          const said = await run();
          status.dataset.kind = 'info';
          status.textContent = said;
        } catch (error) {
          status.dataset.kind = 'error';
          status.textContent = errorText(error);
        } finally {
          b.disabled = false;
        }
      });
      buttons.appendChild(b);
    };
    button('Insert call', () => this.actions.insertCall(tool));
    button('Load into kernel', () => this.actions.loadIntoKernel(tool));
    button(tool.deprecated ? 'Undeprecate' : 'Deprecate', () => this.deprecate(tool));
    button(
      'Open notebook',
      () => this.actions.openNotebook(tool),
      tool.notebook ? '' : `${tool.library_path} is outside the server root: open it from a terminal`
    );
    box.appendChild(buttons);
    box.appendChild(status);

    box.appendChild(el('h3', '', 'Code'));
    const code = el('div', 'jp-ForgeTools-code');
    box.appendChild(code);
    const renderer = this.rendermime.createRenderer('text/markdown');
    const fence = '`'.repeat(Math.max(3, ...(tool.code.match(/`+/g) ?? []).map(s => s.length + 1)));
    await renderer.renderModel(
      new MimeModel({ data: { 'text/markdown': `${fence}python\n${tool.code}\n${fence}` } })
    );
    code.appendChild(renderer.node);

    box.appendChild(el('h3', '', `Samples (${tool.samples.length})`));
    const samples = el('div', 'jp-ForgeTools-samples');
    for (const sample of tool.samples) {
      samples.appendChild(el('pre', 'jp-ForgeTools-sample', sample.text));
    }
    box.appendChild(samples);

    box.appendChild(el('h3', '', 'History'));
    const history = el('ul', 'jp-ForgeTools-history');
    const line = (parts: (string | Node | null | undefined)[]) => {
      const li = el('li', 'jp-ForgeTools-historyItem');
      parts.filter(Boolean).forEach((part, index) => {
        li.append(...(index ? [' · '] : []), part as string | Node);
      });
      return li;
    };
    history.appendChild(
      line([`v${tool.version}`, timeElement(tool.updated, '?'), tool.model, 'current'])
    );
    for (const item of [...tool.history].reverse()) {
      const verdict = item.passed === null ? '' : item.passed ? 'passed' : 'failed';
      history.appendChild(
        line([`v${item.version ?? '?'}`, timeElement(item.updated, '?'), item.model, verdict])
      );
    }
    box.appendChild(history);

    box.appendChild(el('h3', '', 'Usage'));
    const stats = tool.stats;
    const usage = el(
      'p',
      'jp-ForgeTools-stats',
      stats
        ? `${plural(stats.calls, 'call')}, ${stats.failures} failed, in ${plural(stats.sessions, 'session')}; last used `
        : 'No calls recorded yet.'
    );
    if (stats) {
      usage.append(timeElement(stats.last_used));
    }
    box.appendChild(usage);
    const provenance = el(
      'p',
      'jp-ForgeTools-provenance',
      `Request: ${tool.request || '—'} · model ${tool.model || '?'} · approved `
    );
    provenance.append(
      timeElement(tool.approved?.at, '?'),
      ` by ${tool.approved?.by ?? '?'} · ${tool.library} library`
    );
    box.appendChild(provenance);
    this.detail.replaceChildren(box);
  }

  private async deprecate(tool: IToolDetail): Promise<string> {
    const undo = Boolean(tool.deprecated);
    let reason = '';
    if (!undo) {
      const answer = await InputDialog.getText({
        title: `Deprecate ${tool.name}`,
        label: 'Why (shown to everyone who lists it)?',
        placeholder: 'e.g. replaced by parse_money_v2'
      });
      if (!answer.button.accept) {
        return 'Not deprecated.';
      }
      reason = answer.value ?? '';
    }
    await deprecateTool(tool.name, tool.library, reason, undo);
    this.toolsChanged();
    return undo ? `${tool.name} is no longer deprecated.` : `${tool.name} is deprecated.`;
  }

  private search: HTMLInputElement;
  private message: HTMLDivElement;
  private list: HTMLUListElement;
  private detail: HTMLDivElement;
  private selected: IToolSummary | null = null;
  private lastList = '';
  private lastDetail = '';
  private poll = 0;
  private pollSeconds = POLL_MS / 1000;
  private searchTimer = 0;
}

/**
 * Talking to the jupyter_forge server extension (`<base_url>/jupyter-forge/...`).
 * Every failure becomes a ForgeAPIError whose message the panel can show as is.
 * The payload interfaces mirror jupyter_forge/server/schema.json field for field
 * (tests/server/test_rest_schema.py checks it).
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

export interface IToolSummary {
  name: string;
  description: string;
  version: number;
  status: 'approved' | 'untrusted' | 'deprecated';
  trusted: boolean;
  deprecated: { by?: string; at?: string; reason?: string } | null;
  calls: number | null;
  library: string;
  library_path: string;
  notebook: string | null;
  signature: string;
  params: string[];
  updated: string;
}

export interface ILibraryInfo {
  label: string;
  path: string;
  exists: boolean;
  message: string;
}

export interface IToolList {
  tools: IToolSummary[];
  errors: string[];
  libraries: ILibraryInfo[];
  query: string;
  poll_seconds: number;
}

export interface IHistoryItem {
  version: number | null;
  updated: string | null;
  model: string | null;
  request: string | null;
  passed: boolean | null;
  code: string | null;
}

export interface IToolStats {
  calls: number;
  failures: number;
  failure_rate: number;
  sessions: number;
  notebooks: number;
  first_used: string | null;
  last_used: string | null;
  versions: { [version: string]: number };
}

export interface IToolDetail extends IToolSummary {
  full_description: string;
  code: string;
  request: string;
  model: string;
  model_id: string;
  samples: { kind: string; text: string }[];
  validation: { [key: string]: unknown } | null;
  requirements: string[];
  findings: string[];
  history: IHistoryItem[];
  stats: IToolStats | null;
  approved: { by?: string; at?: string; how?: string } | null;
  created: string;
}

/** Every error answer of the server extension. */
export interface IErrorReply {
  message: string;
}

export class ForgeAPIError extends Error {
  constructor(
    message: string,
    readonly status: number
  ) {
    super(message);
  }
}

export async function requestAPI<T>(
  endPoint: string,
  init: RequestInit = {}
): Promise<T> {
  const settings = ServerConnection.makeSettings();
  const url = URLExt.join(settings.baseUrl, 'jupyter-forge', endPoint);
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, init, settings);
  } catch (error) {
    throw new ForgeAPIError(
      `Cannot reach the Jupyter server (${error}): is it still running?`,
      0
    );
  }
  const text = await response.text();
  let data: any = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = { message: text.slice(0, 200) };
    }
  }
  if (!response.ok) {
    const message = (data && data.message) || response.statusText;
    const hint =
      response.status === 404 && !(data && data.message)
        ? ' (is the jupyter_forge server extension enabled? see `jupyter server extension list`)'
        : '';
    throw new ForgeAPIError(
      `Server error ${response.status}: ${message}${hint}`,
      response.status
    );
  }
  return data as T;
}

export function listTools(query: string): Promise<IToolList> {
  const q = query ? `?q=${encodeURIComponent(query)}` : '';
  return requestAPI<IToolList>(`tools${q}`);
}

export function getTool(name: string, library: string): Promise<IToolDetail> {
  return requestAPI<IToolDetail>(
    `tools/${encodeURIComponent(name)}?library=${encodeURIComponent(library)}`
  );
}

export function deprecateTool(
  name: string,
  library: string,
  reason: string,
  undo = false
): Promise<IToolSummary> {
  return requestAPI<IToolSummary>(`tools/${encodeURIComponent(name)}/deprecate`, {
    method: 'POST',
    body: JSON.stringify({ reason, library, undo })
  });
}

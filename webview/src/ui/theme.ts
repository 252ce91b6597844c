// Chart colours from the VS Code theme (--vscode-* CSS variables), re-read when the theme changes.
import { CHART_COLOR_VARS, luminance, withAlpha } from '../model/colors';

export interface Theme {
  foreground: string;
  muted: string;
  background: string;
  grid: string;
  palette: string[];
  dark: boolean;
  fontFamily: string;
  fontSize: number;
}

export function readTheme(): Theme {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  const bodyDark = document.body.classList.contains('vscode-dark') || document.body.classList.contains('vscode-high-contrast');
  const background = v('--vscode-editor-background', bodyDark ? '#1e1e1e' : '#ffffff');
  const dark = css.getPropertyValue('--vscode-editor-background').trim() ? luminance(background) < 0.4 : bodyDark;
  const foreground = v('--vscode-editor-foreground', dark ? '#cccccc' : '#333333');
  const border = v('--vscode-editorWidget-border', '') || v('--vscode-panel-border', '');
  return {
    foreground,
    muted: v('--vscode-descriptionForeground', withAlpha(foreground, 0.7)),
    background,
    grid: border ? withAlpha(border, 0.6) : withAlpha(foreground, 0.12),
    palette: CHART_COLOR_VARS.map(([name, fallback]) => v(name, fallback)),
    dark,
    fontFamily: v('--vscode-font-family', 'system-ui, sans-serif'),
    fontSize: parseFloat(v('--vscode-font-size', '13')) || 13,
  };
}

/** Calls back (at most once per frame) when VS Code switches theme: body class or root variables change. */
export function watchTheme(onChange: (t: Theme) => void): void {
  let queued = false;
  const fire = () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      onChange(readTheme());
    });
  };
  const obs = new MutationObserver(fire);
  obs.observe(document.body, { attributes: true, attributeFilter: ['class'] });
  obs.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
}

"""预决算问答 — the Gradio app. Thin: it places components and calls `qa.service.QAService` (answers, ingest,
removal, comparison, export), `qa.present` (badges, evidence, charts) and `web/` (the library view, the upload
log, the answer/audit views, the HTTP guard); it owns no logic. The one place besides the CLI where a
`UserError` becomes a message for the user.

Run: `python app.py` (settings from `QA_*` env vars: `QA_DATA_DIR`, `QA_APP__PORT`, `QA_AUTH=user:pw` …)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import core  # noqa: F401  (sets the offline environment before gradio is imported)

# isort: split
import gradio as gr

from core.errors import UserError
from core.settings import Settings
from index.readers import SUPPORTED
from qa.answer_models import Answer
from qa.present import (
    CSS,
    answer_markdown,
    comparison_figure,
    comparison_rows,
    evidence_html,
    figures_html,
    stream_pieces,
)
from qa.service import QAService
from web.answers import api_json, ask_or_error, audit_rows, audit_summary, query_filters
from web.guard import guard_middleware
from web.library import REPORT_HEADERS, LibraryView, confirm_text, library_view, status_line
from web.library import upload as upload_files

EXAMPLES = [
    "2021年醴陵市网格化中心的会议费是多少？",
    "石峰区2023年三公经费完成预算的百分之几？",
    "哪个单位的项目支出最多？",
    "荷塘区2020年基本支出占本年支出合计的比例是多少？",
    "醴陵市网格化管理服务中心的主要职责是什么？",
]
MEASURES = ["本年支出合计", "本年收入合计", "基本支出", "项目支出", "三公经费", "人员经费", "公用经费",
            "财政拨款收入", "会议费", "培训费", "公务接待费"]
SEVERITY_KEYS = {"高": "high", "中": "medium", "低": "low"}


def warn(message: str) -> None:
    """A toast titled in Chinese where Gradio shows titles (6.31 groups toasts under its own `Warning`)."""
    gr.Warning(message, title="提示")


def build(service: QAService) -> gr.Blocks:
    def view() -> LibraryView:
        return library_view(*service.library())

    def status_md(v: LibraryView) -> str:
        return status_line(service.status(), v.count)

    def chat(message: str, history: list[dict[str, Any]], answers: list[Answer], orgs: list[str], years: list[str],
             kinds: list[str], engine: str):
        history = list(history or [])
        answers = list(answers or [])
        if not message.strip():
            yield history, answers, gr.skip(), gr.skip(), ""
            return
        history.append({"role": "user", "content": message})
        a, error = ask_or_error(service.ask, message, answers, engine, query_filters(orgs, years, kinds))
        if a is None:
            history.append({"role": "assistant", "content": error})
            yield history, answers, gr.skip(), gr.skip(), ""
            return
        history.append({"role": "assistant", "content": ""})
        for piece in stream_pieces(a.answer):
            history[-1] = {"role": "assistant", "content": piece}
            yield history, answers, gr.skip(), gr.skip(), ""
        history[-1] = {"role": "assistant", "content": answer_markdown(a)}
        answers.append(a)
        yield (history, answers, evidence_html(a, service.lines_of, service.tables_of), figures_html(a), "")

    def export(answers: list[Answer], fmt: str, whole: bool) -> str | None:
        try:
            return str(service.export(list(answers or []) if whole else list(answers or [])[-1:], fmt))
        except UserError as exc:
            warn(exc.render())
            return None

    def ingest(files: list[str] | None, pick: str | None, progress: gr.Progress = gr.Progress()):
        """Each file on its own: a wrong type or a failing file is named in the log, the others still go in."""
        if not files:
            warn("请先选择要导入的文件 / choose files to upload first")
            return (gr.skip(),) * len(lib_out)
        progress(0, desc="导入报告…")

        def step(n: int, total: int, name: str) -> None:
            progress(n / max(1, total), desc=f"已处理 {n}/{total}：{name}")

        log = upload_files(service.ingest, [Path(f) for f in files], SUPPORTED, step)
        return (log, *library(pick))

    def ask_remove(doc_id: str | None):
        """Step one of removal: name the report and show the confirm / cancel buttons; nothing is removed yet."""
        report = next((r for r in service.reports() if r.doc_id == doc_id), None) if doc_id else None
        if report is None:
            warn("请先选择要删除的报告 / choose a report first")
            return None, gr.update(visible=False), ""
        return report.doc_id, gr.update(visible=True), confirm_text(report)

    def remove(doc_id: str | None):
        hidden = (None, gr.update(visible=False), "")
        if not doc_id:
            return (*hidden, gr.skip(), *library(None))
        try:
            rep = service.remove(doc_id)
        except UserError as exc:
            warn(exc.render())
            return (*hidden, gr.skip(), *library(None))
        return (*hidden, f"已删除：{rep.file}", *library(None))

    def correct(doc_id: str | None, org: str, year: str, kind: str):
        if not doc_id:
            warn("请先选择要更正的报告 / choose a report first")
            return (gr.skip(),) * len(lib_out)
        try:
            rep = service.set_metadata(doc_id, org=org.strip() or None,
                                       year=int(year) if year.strip() else None, doc_type=kind.strip() or None)
        except ValueError:
            warn(f"年度应为数字 / year must be a number: {year}")
            return (gr.skip(),) * len(lib_out)
        except UserError as exc:
            warn(exc.render())
            return (gr.skip(),) * len(lib_out)
        return (f"已更正：{rep.file} → {rep.org} {rep.year} {rep.doc_type}", *library(doc_id))

    def library(pick: str | None = None) -> tuple[Any, ...]:
        """The library as the store holds it now: table, filters, pick (kept if it still exists), 单位, status."""
        v = view()
        return (v.table, gr.update(choices=v.orgs), gr.update(choices=v.years), gr.update(choices=v.kinds),
                gr.update(choices=v.docs, value=pick if v.has(pick) else None), gr.update(choices=v.orgs),
                status_md(v))

    def compare(measure: str):
        try:
            rows = service.measure_rows(measure)
        except UserError as exc:
            warn(exc.render())
            return gr.skip(), gr.skip()
        return comparison_rows(rows), (comparison_figure(rows, measure) if rows else None)

    def run_audit(orgs: list[str] | None, severities: list[str] | None):
        found = service.findings(list(orgs or []), [SEVERITY_KEYS[x] for x in severities or []])
        return audit_rows(found), audit_summary(found, service.audit_coverage(list(orgs or []))), found

    def export_audit(found: list[Any], fmt: str) -> str | None:
        try:
            return str(service.export_findings(list(found or []), fmt))
        except UserError as exc:
            warn(exc.render())
            return None

    def api_ask(question: str, history: str = "") -> dict[str, Any]:
        """The same JSON as `qa ask --json`; `history` is JSON: [{"q": "...", "a": "..."}, ...]."""
        return api_json(service.ask, question, history)

    with gr.Blocks(title="预决算问答") as demo:
        gr.Markdown("## 预决算问答 · 部门决算与绩效自评报告\n每个数字都标明核验结果：✓ 原文 ✓ 计算 ✗ 不符 ? 无来源")
        status = gr.Markdown("读取报告库… / loading the library…", elem_id="status")
        answers = gr.State([])
        with gr.Tab("问答", id="chat") as t_chat:
            # chat and evidence share a row that wraps on narrow screens, so the evidence sits right under the
            # answer; examples, filters and export come after both
            with gr.Row(elem_id="chat-row"):
                with gr.Column(scale=3, min_width=320, elem_id="chat-col"):
                    chatbot = gr.Chatbot(label="对话", height=460, elem_id="chatbot", feedback_options=None)
                    with gr.Row(elem_id="ask-row"):
                        box = gr.Textbox(placeholder="例如：2021年醴陵市网格化中心的会议费是多少？", show_label=False,
                                         scale=5, min_width=200, elem_id="question")
                        send = gr.Button("提问", variant="primary", scale=1, min_width=72, elem_id="send")
                with gr.Column(scale=2, min_width=320, elem_id="evidence-col"):
                    gr.Markdown("#### 证据")
                    evidence = gr.HTML("<p>提问后，这里显示每条引用的原文与表格。</p>", elem_id="evidence")
                    figures = gr.HTML("", elem_id="figures")
            gr.Examples(EXAMPLES, inputs=box, label="示例问题")
            with gr.Accordion("筛选（用于检索和回答）", open=False, elem_id="filters"):
                f_org = gr.Dropdown([], multiselect=True, label="单位", elem_id="f-org")
                f_year = gr.Dropdown([], multiselect=True, label="年度", elem_id="f-year")
                f_kind = gr.Dropdown([], multiselect=True, label="文档类型", elem_id="f-kind")
                engine = gr.Radio(["auto", "structured", "extractive", "llm"], value=service.settings.app.engine,
                                  label="回答引擎")
            with gr.Row():
                fmt = gr.Radio([".md", ".docx", ".xlsx", ".json"], value=".docx", label="导出格式")
                one = gr.Button("导出最近回答", elem_id="export-one")
                whole = gr.Button("导出整个对话", elem_id="export-all")
            download = gr.File(label="导出文件", elem_id="download", height=90)
        with gr.Tab("指标对比", id="compare") as t_compare:
            measure = gr.Dropdown(MEASURES, value="本年支出合计", allow_custom_value=True, label="指标", elem_id="measure")
            go = gr.Button("对比", elem_id="compare-go")
            cmp_table = gr.Dataframe(headers=["单位", "年度", "数值", "单位(计量)", "原文", "出处"], interactive=False,
                                     datatype="str", wrap=True, column_widths=[220, 64, 96, 80, 110, 420],
                                     elem_id="compare-table", elem_classes="scroll-table")
            cmp_plot = gr.Plot(label="对比图", elem_id="compare-plot")
        with gr.Tab("报告核查", id="audit") as t_audit:
            gr.Markdown("报告自身的矛盾：合计与分项、表与表、表与正文、文中比率与其数字、零基数比率、年份、自评表分值。"
                        "尾数差异（四舍五入导致的0.01）单列为低严重度。")
            with gr.Row():
                a_org = gr.Dropdown([], multiselect=True, label="单位", elem_id="audit-org")
                a_sev = gr.CheckboxGroup(list(SEVERITY_KEYS), value=list(SEVERITY_KEYS), label="严重程度",
                                         elem_id="audit-sev")
                a_go = gr.Button("核查", variant="primary", elem_id="audit-go")
            a_sum = gr.Markdown(elem_id="audit-summary")
            a_table = gr.Dataframe(headers=["严重程度", "类型", "单位", "年度", "说明（含算式）", "出处"], interactive=False,
                                   datatype="str", wrap=True, column_widths=[64, 120, 200, 64, 440, 240],
                                   elem_id="audit-table", elem_classes="scroll-table")
            a_found = gr.State([])
            with gr.Row():
                a_fmt = gr.Radio([".xlsx", ".docx", ".json"], value=".xlsx", label="导出格式")
                a_export = gr.Button("导出核查结果", elem_id="audit-export")
            a_file = gr.File(label="核查结果文件", height=90, elem_id="audit-file")
        with gr.Tab("报告库", id="library") as t_library:
            lib = gr.Dataframe([], headers=REPORT_HEADERS, interactive=False, datatype="str", wrap=True,
                               column_widths=[130, 260, 220, 64, 130, 240, 64, 72, 360, 90, 360],
                               elem_id="library-table", elem_classes="scroll-table")
            # no file_types: Gradio would refuse the whole upload with an English message; each file is checked
            # by the handler, which names a wrong type and ingests the rest
            upload = gr.File(file_count="multiple", label="上传报告（" + "/".join(sorted(SUPPORTED)) + "）",
                             elem_id="upload")
            do_ingest = gr.Button("导入", variant="primary", elem_id="ingest")
            ingest_log = gr.Markdown(elem_id="ingest-log")
            with gr.Row():
                pick = gr.Dropdown([], value=None, label="选择报告（删除或更正元数据）", elem_id="remove-pick")
                do_remove = gr.Button("删除报告", variant="stop", elem_id="remove")
            pending = gr.State(None)
            with gr.Row(visible=False, elem_id="remove-confirm") as confirm_row:
                confirm_md = gr.Markdown(elem_id="remove-confirm-text")
                yes = gr.Button("确认删除", variant="stop", elem_id="remove-yes")
                no = gr.Button("取消", elem_id="remove-no")
            with gr.Row():
                fix_org = gr.Textbox(label="更正单位（留空不改）", elem_id="fix-org")
                fix_year = gr.Textbox(label="更正年度", elem_id="fix-year")
                fix_kind = gr.Textbox(label="更正文档类型", elem_id="fix-kind")
                do_fix = gr.Button("更正元数据", elem_id="fix")

        # every page load, tab change and action reads the library afresh (another session may have changed it)
        lib_view = [lib, f_org, f_year, f_kind, pick, a_org, status]
        lib_out = [ingest_log, *lib_view]
        fresh = {"fn": library, "inputs": pick, "outputs": lib_view, "api_visibility": "private",
                 "show_progress": "hidden"}
        demo.load(**fresh)
        for tab in (t_chat, t_compare, t_audit, t_library):
            tab.select(**fresh)
        chat_io = ([box, chatbot, answers, f_org, f_year, f_kind, engine], [chatbot, answers, evidence, figures, box])
        send.click(chat, *chat_io, api_visibility="private").then(**fresh)
        box.submit(chat, *chat_io, api_visibility="private").then(**fresh)
        one.click(lambda a, f: export(a, f, False), [answers, fmt], download, api_visibility="private")
        whole.click(lambda a, f: export(a, f, True), [answers, fmt], download, api_visibility="private")
        go.click(compare, measure, [cmp_table, cmp_plot], api_name="compare").then(**fresh)
        do_ingest.click(ingest, [upload, pick], lib_out, api_visibility="private")
        do_remove.click(ask_remove, pick, [pending, confirm_row, confirm_md], api_visibility="private")
        pick.change(lambda: (None, gr.update(visible=False), ""), None, [pending, confirm_row, confirm_md],
                    api_visibility="private", show_progress="hidden")
        no.click(lambda: (None, gr.update(visible=False), ""), None, [pending, confirm_row, confirm_md],
                 api_visibility="private")
        yes.click(remove, pending, [pending, confirm_row, confirm_md, *lib_out], api_visibility="private")
        do_fix.click(correct, [pick, fix_org, fix_year, fix_kind], lib_out, api_visibility="private")
        a_go.click(run_audit, [a_org, a_sev], [a_table, a_sum, a_found], api_visibility="private").then(
            **fresh)
        a_export.click(export_audit, [a_found, a_fmt], a_file, api_visibility="private")
        gr.api(api_ask, api_name="ask")
    return demo


def theme() -> gr.themes.Base:
    """Local fonts only: the default theme would fetch Google Fonts, which an isolated network cannot reach."""
    cjk: list[gr.themes.Font | str] = [gr.themes.Font("Noto Sans CJK SC"), gr.themes.Font("Microsoft YaHei"), "system-ui", "sans-serif"]
    return gr.themes.Default(font=cjk, font_mono=[gr.themes.Font("Noto Sans Mono CJK SC"), "monospace"])


def main() -> None:
    settings = Settings()
    try:
        auth = settings.auth_pairs()
        service = QAService(settings)
        service.warm_up()
    except UserError as exc:
        raise SystemExit(f"✗ {exc.render()}") from exc
    demo = build(service)
    demo.queue(default_concurrency_limit=settings.app.concurrency)
    app = settings.app
    behind = f"（反向代理路径 {app.root_path}）" if app.root_path else ""
    print(f"预决算问答：http://{app.host}:{app.port}{behind}", flush=True)
    auth_message = (f"连续输错 {app.login_max_failures} 次后需等待 {app.login_lockout_s:g} 秒再试（再错则等待加倍）"
                    f" / after {app.login_max_failures} failed logins, wait {app.login_lockout_s:g} s (doubling)")
    demo.launch(server_name=app.host, server_port=app.port, auth=auth, auth_message=auth_message, theme=theme(),
                css=CSS, ssr_mode=False, footer_links=["api"], show_error=False, quiet=True,
                root_path=app.root_path or None, app_kwargs={"middleware": [guard_middleware(settings)]})


if __name__ == "__main__":
    main()

"""Chinese names for what the checks talk about: rules, tables, report fields, stated figures.

Data only (no imports), shared by the digest (``RULE_SHORT``), the rectification lists and
:func:`workbench.checks.grid.cell_label`. The long description of each rule is its ``zh``
in rules.yaml; these are the short names a table column has room for.
"""

from __future__ import annotations

# rule id -> short Chinese name (one per rule in rules.yaml)
RULE_SHORT = {
    "requests.column_flow": "表三列勾稽（收结平衡）",
    "requests.outcome_sum": "表三总计≠各项之和",
    "requests.row_total": "表三总计列≠各类申请人之和",
    "review.total": "表四总计≠各项之和",
    "tables.blank": "表格空白未填",
    "template.year_mismatch": "模板与年度不符",
    "timeliness.late": "逾期发布",
    "timeliness.no_date": "未注明发布日期",
    "timeliness.year_vs_date": "年度与发布日期不符",
    "chain.carry_over": "上年结转与上年报告不符",
    "stock.normative_documents": "规范性文件存量不衔接",
    "prose.requests_received": "正文新收申请数与表三不符",
    "prose.requests_processed": "正文办结数与表三不符",
    "prose.requests_carried": "正文结转数与表三不符",
    "prose.outcome_counts": "正文办理结果与表三不符",
    "prose.review_count": "正文复议数与表四不符",
    "prose.litigation_count": "正文诉讼数与表四不符",
    "sections.missing": "缺少规定部分",
}

# severity -> its Chinese name
SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}

# store table (the first part of a cell id) -> the table's name in the report
TABLE_ZH = {"active_disclosure": "表二", "requests": "表三", "review_litigation": "表四"}

# report.<field> -> what it is
REPORT_FIELD_ZH = {
    "published_on": "发布日期（落款日期或页面发布日期）",
    "template": "年报模板版本",
    "year": "报告年度",
    "agency": "机关名称",
    "fees_collected_yuan": "收取费用",
}

# section.overview.<quantity> -> the figure section 一 states (workbench/checks/prose.py)
STATED_ZH = {
    "received_new": "新收申请件数",
    "received": "收到申请件数",
    "handled": "办理申请件数",
    "processed": "办结申请件数",
    "carried_over": "上年结转件数",
    "carried_forward": "结转下年度件数",
    "granted_partial": "予以公开及部分公开件数",
    "granted": "予以公开件数",
    "partial": "部分公开件数",
    "denied": "不予公开件数",
    "unable": "无法提供件数",
    "not_processed": "不予处理件数",
    "other": "其他处理件数",
    "review": "行政复议件数",
    "litigation": "行政诉讼件数",
}

"""A government-portal page around the report: nav, breadcrumbs, search, footer, scripts.

The report sits in one container div (``TRS_Editor``, ``#zoom`` … as real portals name
it). Tables carry the official merged cells as rowspan/colspan; a blank cell is
``&nbsp;``. Some pages are GBK-encoded and say so in ``<meta charset="gbk">``; some split
header labels over several ``<p>`` (商业</p><p>企业) as Word-made pages do.
"""

from __future__ import annotations

from html import escape

from workbench.synth.layout import Block, Cell, Style, TableBlock, TextBlock

CONTAINERS = ('<div class="TRS_Editor">', '<div id="zoom" class="article-content">',
              '<div class="view TRS_UEDITOR trs_paper_default">', '<div class="pages_content" id="UCAP-CONTENT">')
PARA_STYLES = {
    "title": '<p style="text-align:center;"><strong>{}</strong></p>',
    "heading": '<p style="text-indent:2em;"><strong>{}</strong></p>',
    "subheading": '<p style="text-indent:2em;">{}</p>',
    "body": '<p style="text-indent:2em;">{}</p>',
    "sign": '<p style="text-align:right;">{}</p>',
    "date": '<p style="text-align:right;">{}</p>',
}


def render(blocks: list[Block], style: Style, meta: dict[str, str]) -> bytes:
    """The page as bytes in its declared charset (gbk or utf-8)."""
    charset = str(style.extras.get("charset", "utf-8"))
    container = CONTAINERS[int(style.extras.get("container", 0)) % len(CONTAINERS)]
    body = [_block(b, style) for b in blocks if style.extras.get("title_in_body", True) or
            not (isinstance(b, TextBlock) and b.role == "title")]
    page = _page(meta, charset, container + "\n" + "\n".join(body) + "\n</div>")
    return page.encode(charset, errors="xmlcharrefreplace")


def _block(block: Block, style: Style) -> str:
    if isinstance(block, TableBlock):
        return _table(block, style)
    if block.role == "heading" and style.extras.get("h3_headings"):
        return f"<h3>{escape(block.text)}</h3>"
    return PARA_STYLES[block.role].format(escape(block.text))


def _table(table: TableBlock, style: Style) -> str:
    rows = []
    for row in table.rows:
        cells = "".join(_cell(cell, style) for cell in row)
        rows.append(f'<tr style="height:28px">{cells}</tr>')
    return ('<table border="1" cellspacing="0" cellpadding="0" align="center" '
            'style="border-collapse:collapse;border:none;">\n<tbody>\n' + "\n".join(rows) + "\n</tbody>\n</table>")


def _cell(cell: Cell, style: Style) -> str:
    spans = (f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else "") + (
        f' colspan="{cell.colspan}"' if cell.colspan > 1 else "")
    align = ' align="center"' if cell.kind != "label" else ""
    if not cell.text:
        content = "<p>&nbsp;</p>"
    elif cell.kind == "header" and style.extras.get("split_p") and 3 <= len(cell.text) <= 8 and " " not in cell.text:
        half = len(cell.text) // 2  # a header typed on two lines in Word: 商业</p><p>企业
        content = f"<p>{escape(cell.text[:half])}</p><p>{escape(cell.text[half:])}</p>"
    else:
        content = f"<p>{escape(cell.text)}</p>"
    return f'<td valign="middle"{spans}{align} style="border:1px solid windowtext;padding:2px 4px;">{content}</td>'


def _page(meta: dict[str, str], charset: str, article: str) -> str:
    title, site, date = escape(meta["title"]), escape(meta["site"]), escape(meta["page_date"])
    publisher = escape(meta["publisher"])
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="{charset}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<meta name="SiteName" content="{site}">
<meta name="ColumnName" content="政府信息公开年报">
<meta name="ArticleTitle" content="{title}">
<meta name="PubDate" content="{date} {escape(meta["page_time"])}">
<meta name="ContentSource" content="{publisher}">
<title>{title}_政府信息公开年报_{site}</title>
<link rel="stylesheet" type="text/css" href="/css/common.css">
<link rel="stylesheet" type="text/css" href="/css/article.css">
<script type="text/javascript" src="/js/jquery.min.js"></script>
</head>
<body>
<div class="header">
  <div class="logo"><a href="/"><img src="/images/logo.png" alt="{site}"></a></div>
  <ul class="nav">
    <li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li><li><a href="/zwfw/">政务服务</a></li>
    <li><a href="/hdjl/">互动交流</a></li><li><a href="/ztzl/">专题专栏</a></li>
  </ul>
  <form class="search" action="/search/" method="get">
    <input type="text" name="q" placeholder="请输入搜索内容"><button type="submit">搜索</button>
  </form>
</div>
<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; <a href="/zwgk/zfxxgknb/">政府信息公开年报</a></div>
<div class="main">
<div class="article">
<h1 class="article-title">{title}</h1>
<div class="article-info"><span>发布时间：{date}</span><span>来源：{publisher}</span>
<span>字号：<a href="javascript:setFont(16)">大</a> <a href="javascript:setFont(14)">中</a> <a href="javascript:setFont(12)">小</a></span></div>
{article}
<div class="article-tools"><a href="javascript:window.print()">打印本页</a> <a href="javascript:window.close()">关闭窗口</a></div>
</div>
<div class="related"><h4>相关链接</h4><ul><li><a href="/zwgk/zfxxgkzn/">政府信息公开指南</a></li>
<li><a href="/zwgk/zfxxgkzd/">政府信息公开制度</a></li></ul></div>
</div>
<div class="footer">
  <p>主办单位：{publisher}　版权所有</p>
  <p>网站标识码：0000000000　ICP备00000000号（合成示例页面）</p>
</div>
<script type="text/javascript">
  function setFont(size) {{ document.querySelector('.article').style.fontSize = size + 'px'; }}
  var _hmt = _hmt || []; /* 访问统计 */
</script>
</body>
</html>
"""

"""SRU diagnostics (info:srw/diagnostic/1/N): the number, the details the list asks for, and a message."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

PREFIX = "info:srw/diagnostic/1/"

# The diagnostics this server sends, with their meaning (the message when no better one is given).
MESSAGES = {
    1: _("系统错误"),
    4: _("不支持的操作"),
    5: _("不支持的版本"),
    6: _("不支持的参数值"),
    7: _("缺少必需参数"),
    8: _("不支持的参数"),
    10: _("查询语法错误"),
    15: _("不支持的上下文集"),
    16: _("不支持的检索点"),
    19: _("不支持的关系"),
    20: _("不支持的关系修饰符"),
    22: _("检索点不支持该关系"),
    27: _("不支持空检索词"),
    28: _("不支持该截词符用法"),
    31: _("不支持锚定符"),
    36: _("检索词的格式不适用于该检索点或关系"),
    37: _("不支持的布尔运算符"),
    39: _("不支持邻近检索"),
    46: _("不支持的布尔修饰符"),
    60: _("命中记录过多，无法生成结果集"),
    61: _("起始记录位置超出范围"),
    66: _("未知的记录格式"),
    67: _("该记录不能以所请求的格式提供"),
    71: _("不支持的记录封装方式"),
    80: _("不支持排序"),
    110: _("不支持样式表"),
}


class Diagnostic(Exception):
    """A condition the client is told of: fatal when raised, per record (a surrogate) when placed in a record."""

    def __init__(self, number: int, details: str = "", message: str | None = None) -> None:
        self.number = number
        self.details = details
        self.message = message if message is not None else str(MESSAGES.get(number, ""))
        super().__init__(f"{self.uri}: {self.message} ({details})")

    @property
    def uri(self) -> str:
        return f"{PREFIX}{self.number}"

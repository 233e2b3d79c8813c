"""Refusals of the union catalogue, with stable codes and translated messages."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from shelfmark.core.errors import DomainError, NotFound


class SourceNotFound(NotFound):
    code = "source_not_found"
    default_message: Any = _("没有代码为 {code} 的成员馆来源。")


class WrongWayIn(DomainError):
    code = "wrong_way_in"
    default_message: Any = _("成员馆来源 {code} 的接入方式是“{way}”，不能这样收割。")


class SourceInactive(DomainError):
    code = "source_inactive"
    default_message: Any = _("成员馆来源 {code} 已停用。")


class HarvestAlreadyRunning(DomainError):
    code = "harvest_already_running"
    default_message: Any = _("成员馆来源 {code} 正在收割（第 {run} 次，{seconds} 秒前仍有进展）。")
    status = 409


class NothingToResume(DomainError):
    code = "nothing_to_resume"
    default_message: Any = _("成员馆来源 {code} 没有未完成的收割可以继续。")


class HarvestFailed(DomainError):
    code = "harvest_failed"
    default_message: Any = _("收割 {code} 失败：{problem}")
    status = 502


class MemberNotFound(NotFound):
    code = "cluster_member_not_found"
    default_message: Any = _("没有这条参与聚类的记录。")


class ClusterNotFound(NotFound):
    code = "cluster_not_found"
    default_message: Any = _("没有这个聚类。")


class DecisionRefused(DomainError):
    code = "cluster_decision_refused"
    default_message: Any = _("不能这样决定：{reason}")

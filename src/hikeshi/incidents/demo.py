"""The demo incident: ransomware at a small company, written through the services like any other.

It shows a first-time user what a well-kept record looks like: intake items filled, a triage
decision, action records with scope and settings, and a timeline with an approximate start.
Times are relative to now (yesterday morning), so the case always looks current.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from hikeshi.incidents.models import Incident
from hikeshi.incidents.services.actions import ActionInput, append_action
from hikeshi.incidents.services.incidents import (
    IncidentInput,
    TriageInput,
    open_incident,
    triage,
)
from hikeshi.incidents.services.timeline import add_event
from hikeshi.incidents.vocabulary import IncidentType, Level, TimePrecision

DEMO_PREFIX = "【デモ】"
ZONE = ZoneInfo("Asia/Tokyo")


def _detected_at() -> datetime:
    """Return yesterday 08:40 in Tokyo: the morning the office found the encrypted files."""
    today = timezone.now().astimezone(ZONE)
    return today.replace(hour=8, minute=40, second=0, microsecond=0) - timedelta(days=1)


def _intake(detected: datetime) -> IncidentInput:
    return IncidentInput(
        title=f"{DEMO_PREFIX}ファイルサーバのファイル暗号化と脅迫文（ランサムウェア）",
        detected_at=detected,
        types=[IncidentType.RANSOMWARE, IncidentType.INFORMATION_LEAK],
        organisation="株式会社みなと精工（架空の会社）",
        estimated_start=detected - timedelta(hours=9, minutes=30),
        estimated_start_precision=TimePrecision.ABOUT,
        reporter="総務部 佐藤（架空）",
        reporter_contact="内線 201",
        location=(
            "ファイルサーバ FS01（Windows Server 2019、本社 1 階サーバラック、192.168.10.5）、"
            "共有フォルダ \\\\FS01\\share、経理部 PC-KEIRI-03（192.168.10.53）"
        ),
        what_happened=(
            "朝、共有フォルダの多数のファイルが開けなくなり、拡張子が .locked に変わっていた。"
            "各フォルダに脅迫文 README_RESTORE.txt が置かれ、暗号資産での支払いを求め、"
            "支払わなければ盗んだデータを公開すると書かれている。"
        ),
        assumed_cause=(
            "未確定。VPN 装置の既知の脆弱性を突いた侵入、または経理部 PC で開かれた"
            "不審なメール添付ファイルからの感染が疑われる。"
        ),
        affected_systems=(
            "FS01 の共有フォルダが暗号化され利用できない。販売管理システムは別サーバで稼働中だが"
            "影響は調査中。バックアップ用 NAS は同じネットワーク上にあり、暗号化の有無を確認中。"
        ),
        system_configuration=(
            "従業員 30 名、本社 1 拠点。社内 LAN は 1 セグメント（192.168.10.0/24）、"
            "UTM 兼 VPN 装置でインターネットに接続。ファイルサーバ 1 台、NAS 1 台、PC 約 35 台。"
            "保守は地元の IT ベンダーに委託。"
        ),
    )


def _actions(detected: datetime) -> list[ActionInput]:
    return [
        ActionInput(
            what="感染が疑われる PC をネットワークから隔離",
            performed_at=detected + timedelta(minutes=15),
            scope="経理部 PC-KEIRI-03（192.168.10.53）",
            settings=(
                "LAN ケーブルを抜き、Wi-Fi を無効化。電源は入れたまま（メモリ上の痕跡を残すため）"
            ),
            note="利用者には PC に触れないよう依頼した。",
        ),
        ActionInput(
            what="ファイルサーバをネットワークから隔離",
            performed_at=detected + timedelta(minutes=25),
            scope="FS01（192.168.10.5）",
            settings="スイッチのポート 12 を無効化。シャットダウンはせず稼働状態を維持",
        ),
        ActionInput(
            what="プロキシログを保全",
            performed_at=detected + timedelta(minutes=50),
            scope="UTM のプロキシ・ファイアウォール・VPN ログ（過去 90 日分）",
            settings="管理画面からエクスポートし外部 USB ディスクへ複製、SHA-256 ハッシュ値を記録",
            note="UTM のログは 90 日で上書きされるため最優先で退避した。",
        ),
        ActionInput(
            what="脅迫文を証拠として保全",
            performed_at=detected + timedelta(hours=1, minutes=10),
            scope="\\\\FS01\\share\\README_RESTORE.txt",
            settings="ファイルを複製して SHA-256 ハッシュ値を記録。記載の連絡先には接触しない",
        ),
        ActionInput(
            what="VPN 接続を一時停止",
            performed_at=detected + timedelta(hours=1, minutes=40),
            scope="UTM の VPN 機能（全アカウント）",
            settings="VPN 機能を無効化。保守用アカウント maint01 を削除予定",
            note="深夜に maint01 での VPN 接続が記録されていたため。",
        ),
    ]


def load_demo(actor: User) -> Incident | None:
    """Return the newly loaded demo incident, or None when a demo incident already exists."""
    with transaction.atomic():
        if Incident.objects.filter(is_demo=True).exists():
            return None
        detected = _detected_at()
        incident = open_incident(actor, _intake(detected), is_demo=True)
        incident = triage(
            actor,
            incident.pk,
            incident.version,
            TriageInput(is_incident=True, urgency=Level.HIGH, impact=Level.HIGH),
        )
        events = [
            (
                detected - timedelta(hours=10),
                TimePrecision.EXACT,
                "UTM VPN ログ",
                "UTM",
                "普段使われない保守用アカウント maint01 で海外の IP アドレスから VPN 接続",
            ),
            (
                detected - timedelta(hours=9, minutes=30),
                TimePrecision.ABOUT,
                "FS01 ファイル更新日時",
                "FS01",
                "暗号化が始まったと推定（最も古い暗号化ファイルの更新日時から）",
            ),
            (
                detected,
                TimePrecision.EXACT,
                "社内からの報告",
                "FS01",
                "総務部 佐藤が共有フォルダの異常と脅迫文を見つけ、情報システム担当に報告",
            ),
        ]
        for occurred_at, precision, source, device, description in events:
            add_event(
                actor,
                incident.pk,
                occurred_at=occurred_at,
                description=description,
                precision=precision,
                source=source,
                device=device,
            )
        for action in _actions(detected):
            append_action(incident.pk, actor, action)
    incident.refresh_from_db()
    return incident

"""Which tier confers which award: the skeleton's small authority table.

Deliberately small; the full catalog and the dated authority matrix replace it (issue 3).
At the central tier the conferring agency itself is named: the Prime Minister or the President.
"""

from dataclasses import dataclass

from shared.tiers import Tier

PRIME_MINISTER = "TW-TTG"
PRESIDENT = "TW-CTN"
CENTRAL_BOARD = "TW-BTDKT"


@dataclass(frozen=True)
class Authority:
    award_code: str
    name: str
    tier: Tier
    central_agency: str | None = None


AUTHORITIES = {
    a.award_code: a
    for a in (
        Authority("GIAY_KHEN", "Giấy khen", Tier.UNIT),
        Authority("LAO_DONG_TIEN_TIEN", "Lao động tiên tiến", Tier.UNIT),
        Authority("CSTD_CO_SO", "Chiến sĩ thi đua cơ sở", Tier.DISTRICT),
        Authority("BANG_KHEN_TINH", "Bằng khen của Chủ tịch UBND tỉnh", Tier.PROVINCE),
        Authority("CSTD_TINH", "Chiến sĩ thi đua cấp tỉnh", Tier.PROVINCE),
        Authority("BANG_KHEN_TTG", "Bằng khen của Thủ tướng Chính phủ", Tier.CENTRAL, PRIME_MINISTER),
        Authority("CSTD_TOAN_QUOC", "Chiến sĩ thi đua toàn quốc", Tier.CENTRAL, PRIME_MINISTER),
        Authority("HCLD_HANG_BA", "Huân chương Lao động hạng Ba", Tier.CENTRAL, PRESIDENT),
        Authority("HCLD_HANG_NHI", "Huân chương Lao động hạng Nhì", Tier.CENTRAL, PRESIDENT),
        Authority("HCLD_HANG_NHAT", "Huân chương Lao động hạng Nhất", Tier.CENTRAL, PRESIDENT),
    )
}

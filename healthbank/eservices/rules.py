"""The e-services' rules: subsidy shares, exemptions, certificate validity, case deadlines.

Each constant names where it comes from. The seeds only list these services (seed 000, 個人
健保資料網路服務作業); the figures are the public rules of the agencies that grant them.
"""

from __future__ import annotations

from decimal import Decimal

# --- Premium subsidies (保險費減免補助): share of the self-paid premium ---------------------

# 低收入戶: category 5 insured, the whole premium paid by the social welfare authority
# (NHI Act art. 27; NHIA, 申請低收入戶或中低收入戶健保費可能省一半: "低收入戶可免繳健保費").
LOW_INCOME_SHARE = Decimal("1")
# 中低收入戶: half the self-paid premium since 1 July 2011 (Public Assistance Act art. 19; the
# same NHIA page: "中低收入戶可補助1/2自付健保費").
MIDDLE_LOW_INCOME_SHARE = Decimal("0.5")
# 中低收入戶 members under 18 and 70 or older: the whole self-paid premium (Public Assistance Act
# art. 19 as amended; NHIA's subsidy list).
MIDDLE_LOW_INCOME_YOUNG_OLD_SHARE = Decimal("1")
# 身心障礙者: profound and severe the whole, moderate half, mild a quarter of the self-paid
# premium (身心障礙者參加社會保險保險費補助辦法, as the social welfare bureaus publish it).
DISABILITY_SEVERE_SHARE = Decimal("1")
DISABILITY_MODERATE_SHARE = Decimal("0.5")
DISABILITY_MILD_SHARE = Decimal("0.25")
# 原住民: unemployed indigenous people insured at the township office, the whole self-paid
# premium (原住民族委員會補助原住民全民健康保險保險費實施要點).
INDIGENOUS_SHARE = Decimal("1")
# 非自願離職失業勞工及其眷屬: the whole self-paid premium while unemployment benefit is paid
# (就業保險法 art. 10; 失業被保險人及其眷屬全民健康保險保險費補助辦法), for at most 6 months,
# 9 from 45 or with a disability certificate (the unemployment benefit's own limit).
UNEMPLOYED_SHARE = Decimal("1")
UNEMPLOYED_MONTHS = 6
UNEMPLOYED_MONTHS_FROM_45 = 9
# 70歲以上中低收入老人: the whole self-paid premium (老人福利法; 中低收入老人 of the social
# welfare authority).
ELDERLY_MIDDLE_LOW_INCOME_SHARE = Decimal("1")

# --- Tobacco tax (菸品健康福利捐) subsidy of the self-paid premium -------------------------

# Two levels since June 2009 (MOHW, 逾31萬弱勢民眾健保費獲菸品健康福利捐補助, 98-11-06): a
# household's income per person under 1.5 times the minimum living cost: half; from 1.5 to 2
# times: a quarter.
TOBACCO_LEVEL_1_SHARE = Decimal("0.5")
TOBACCO_LEVEL_2_SHARE = Decimal("0.25")

# --- Supplementary premium (補充保險費) ----------------------------------------------------

# 全民健康保險扣取及繳納補充保險費辦法: category 5 insured have none of the six kinds of income
# withheld; children and young people, 中低收入戶, 中低收入老人, people receiving the disability
# living allowance and students without a full-time job have part-time pay below the minimum
# monthly wage not withheld.

# --- Catastrophic illness certificates (重大傷病證明) --------------------------------------

# 全民健康保險保險對象免自行負擔費用辦法, 附表 重大傷病範圍: the category numbers used here.
CATEGORY_CANCER = 1  # 需積極或長期治療之癌症
CATEGORY_DIALYSIS = 4  # 慢性腎衰竭（尿毒症），必須接受定期透析治療者
CATEGORY_MENTAL = 6  # 慢性精神病 (incl. dementia)
# A first dialysis certificate is issued for three months, then re-assessed (NHIA's form
# 慢性腎衰竭需定期透析治療患者重大傷病證明申請附表); a cancer certificate for five years.
DIALYSIS_FIRST_MONTHS = 3
CANCER_VALID_YEARS = 5

# --- Reimbursement and prior review (自墊醫療費用核退、事前審查) ---------------------------

# 全民健康保險自墊醫療費用核退辦法: apply within six months of the payment (or of discharge);
# NHIA decides within 30 days of a complete application.
REIMBURSEMENT_APPLY_MONTHS = 6
REIMBURSEMENT_DECISION_DAYS = 30
# 全民健康保險醫療費用申報與核付及醫療服務審查辦法: a prior review is decided within two weeks
# of a complete application.
PRIOR_REVIEW_DECISION_DAYS = 14

# --- Applying for a reimbursement online (自墊醫療費用核退) ---------------------------------

# 全民健康保險自墊醫療費用核退辦法 art. 3 (under NHI Act art. 55 and 56): apply within six
# months of the day the care ended (the payment, or discharge from hospital); abroad, of the
# return for inpatient care. REIMBURSEMENT_APPLY_MONTHS above is that deadline.
# Ours: what one online claim may carry (a counter takes a thick envelope; online, the
# receipts and certificates of one episode of care).
CLAIM_MAX_FILES = 10
CLAIM_MAX_FILE_BYTES = 10 * 1024**2
CLAIM_MAX_PDF_PAGES = 30
CLAIM_IMAGE_MAX_SIDE = 2400  # readable receipts, as the photo is re-encoded
# Ours: a larger claim is made at the counter with the originals.
CLAIM_MAX_AMOUNT = 5_000_000

"""The rules of premium bills, slips, instalments and delivery, each with its source.

Where no public source was found, the value is marked as the project's assumption.
"""

from __future__ import annotations

from decimal import Decimal

# --- Simple instalments (簡易分期) ------------------------------------------------------
# 全民健康保險保險費及滯納金分期繳納辦法 art. 5: a person's arrears under NT$50,000 may be
# paid in 2 to 12 instalments (larger arrears in up to 24, 36 or 48, decided at the
# counter), each period at most one month, and each instalment at least 60% of the average
# premium of all the insured that the insurer announces.
MINIMUM_INSTALMENTS = 2
MAXIMUM_INSTALMENTS = 12
# The simple online application covers the regulation's first bracket (under NT$50,000);
# larger arrears apply at an NHIA counter. Project's assumption: NHIA does not publish
# the online limits.
SIMPLE_INSTALMENT_ARREARS_BELOW = 50_000
# 60% of the announced average premium (NT$1,377 since 2021), which is also what the
# regional population (category 6) pays a month: NT$826.
MINIMUM_INSTALMENT_AMOUNT = 826
# The smallest arrears that can be split at all: two instalments of the minimum.
MINIMUM_ARREARS = MINIMUM_INSTALMENTS * MINIMUM_INSTALMENT_AMOUNT
# The first instalment falls due at the end of the month after the application, the others
# a month apart (art. 5: no period longer than a month). Project's assumption.
FIRST_INSTALMENT_AFTER_MONTHS = 1

# --- Payment slips (繳款單) -------------------------------------------------------------
# The convenience-store three-segment barcode (超商代收三段式條碼), Code 39 without its own
# check character, as the stores' collection specification lays it out (the layout every
# collector prints, e.g. payment processors' "Barcode_1/2/3"):
#   segment 1, 9 characters: the collection deadline as ROC YYMMDD (the ROC year's last two
#     digits) + the 3-character collection item code (代收項目代號) the stores assign;
#   segment 2, 16 characters: the collector's bill number (銷帳編號);
#   segment 3, 15 characters: the bill's month as ROC YYMM + 2 check characters + the
#     amount in 9 digits.
# Check characters: letters count as digits (A–I = 1–9, J–R = 1–9, S–Z = 2–9); the first is
# the sum of the characters in odd positions of the three segments (segment 3 without its
# check characters) modulo 11, with 0 written A and 10 written B; the second the same over
# the even positions, with 0 written X and 10 written Y.
STORE_SEGMENT_LENGTHS = (9, 16, 15)
STORE_COLLECTION_ITEM_CODE = "HB1"  # synthetic: NHIA's real code is the stores' to assign
STORE_FIRST_CHECK = {0: "A", 10: "B"}
STORE_SECOND_CHECK = {0: "X", 10: "Y"}
# The stores collect at most NT$20,000 a slip (their common limit); above it the slip shows
# only the bank transfer details.
STORE_MAXIMUM_AMOUNT = 20_000
# A slip printed for a bill already past due can be paid for this many days (the stores
# refuse a barcode past its deadline). Project's assumption.
SLIP_PAYABLE_DAYS = 14

# Bank transfer (ATM or online banking) to NHIA's collecting account: the bank's code and
# a virtual account number built from the slip. The bank is the one the project assumes
# NHIA collects premiums through; the account prefix is SYNTHETIC, so that no real
# account number is printed.
COLLECTING_BANK_CODE = "004"
COLLECTING_BANK_NAME = "臺灣銀行"
COLLECTING_BANK_NAME_EN = "Bank of Taiwan"
VIRTUAL_ACCOUNT_PREFIX = "9527"  # synthetic
VIRTUAL_ACCOUNT_KIND_BILL = "1"  # a slip for one month's bill
VIRTUAL_ACCOUNT_KIND_ALL = "2"  # a slip for all a person's unpaid bills
VIRTUAL_ACCOUNT_KIND_PART = "3"  # a slip for an instalment
VIRTUAL_ACCOUNT_KIND_SUPPLEMENTARY = "4"  # a supplementary premium bill
# Weights of the account's check digit (the banks' common 3-7-1 weighting: the units of
# each product summed, the 10's complement of the sum's units).
VIRTUAL_ACCOUNT_WEIGHTS = (3, 7, 1)

# --- Bill delivery (繳款單寄發) ----------------------------------------------------------
# How bills come and how often: seed 000 names the service 繳款單寄發週期申請/變更; the
# choices (monthly, or every two months with two months on one slip) are the project's
# reading of it.
DELIVERY_METHODS = ("post", "email", "ebill")
DELIVERY_CYCLES = ("monthly", "bimonthly")
DEFAULT_DELIVERY = ("post", "monthly")

# --- Supplementary premium on dividends and interest (股利、利息所得補充保險費) ----------
# NHI Act art. 31 and 33: 2.11% since 2021 on a single payment of dividends or interest of
# NT$20,000 or more, up to NT$10 million a payment (全民健康保險扣取及繳納補充保險費辦法).
SUPPLEMENTARY_RATE = Decimal("0.0211")
SUPPLEMENTARY_THRESHOLD = 20_000
SUPPLEMENTARY_CEILING = 10_000_000

# --- Mailing address (通訊地址變更) and one-time direct debit (單次約定轉帳) ---------------
# The street part (road, lane, alley, number, floor) fits people.MailingAddress.street_address;
# a neighbourhood (鄰) is 1 to 99 as in the household register (people.Household).
STREET_ADDRESS_MAX_LENGTH = 100
NEIGHBOURHOOD_MAX = 99
# A debit's page asks again for the bank's answer this often while it waits.
DEBIT_REFRESH_SECONDS = 3

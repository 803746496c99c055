"""What the synthetic population falls ill with, and the codes each case is recorded with.

The generator (synth/population.py) decides who, when and how often; this module
decides what: which diagnosis, department, drugs, tests, procedures and texts. Every
code named here must exist in the code tables (codes/data); a test checks it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ChronicCondition:
    """A long-term condition followed up in clinic with chronic refill prescriptions."""

    key: str
    diagnoses: tuple[str, ...]  # ICD-10-CM; the first is the usual one
    department: str  # department code of the follow-up clinic
    # Share of people who have it, by age band: ((min_age, share), ...) ascending.
    prevalence: tuple[tuple[int, float], ...]
    # Alternative daily regimens (NHI drug codes, one unit per day unless noted in
    # DAILY_UNITS); each patient is put on one of them.
    regimens: tuple[tuple[str, ...], ...]
    labs: tuple[str, ...]  # keys of LABS checked at follow-up ...
    lab_interval_months: int  # ... this often
    sex: str = ""  # "M" or "F" when only one sex has it


@dataclass(frozen=True)
class AcuteIllness:
    """A short illness that brings someone to a western, Chinese-medicine or dental clinic."""

    key: str
    diagnoses: tuple[str, ...]
    department: str
    kind: str  # records.Visit.Kind: "western", "tcm" or "dental"
    ages: tuple[int, int]  # inclusive age range in years
    weight: float  # relative frequency among illnesses of the same kind and age
    drugs: tuple[str, ...] = ()  # a visit prescribes one to four of these
    days: tuple[int, int] = (3, 3)  # days supplied, range
    services: tuple[str, ...] = ()  # extra non-drug orders; each is added with chance 1/2
    tooth: bool = False  # dental: each service order names a tooth
    sex: str = ""


@dataclass(frozen=True)
class ImagingExam:
    """An imaging or pathology exam and a typical report (English, as reports are written)."""

    key: str
    service: str  # NHI service code
    kind: str  # records.ImagingReport.Kind: "imaging" or "pathology"
    body_site: str
    findings: str
    impression: str


@dataclass(frozen=True)
class Admission:
    """A reason for an inpatient stay, with its surgery and the discharge summary's texts."""

    key: str
    diagnoses: tuple[str, ...]
    department: str
    ages: tuple[int, int]
    weight: float
    stay_days: tuple[int, int]
    surgery: str = ""  # NHI service code of the surgery, if any ...
    body_site: str = ""  # ... and where on the body
    imaging: tuple[str, ...] = ()  # keys of IMAGING done during the stay
    drugs: tuple[str, ...] = ()  # discharge medication
    chief_complaint: str = ""  # discharge-summary texts, Traditional Chinese
    course: str = ""
    plan: str = ""
    sex: str = ""


@dataclass(frozen=True)
class VaccineDose:
    """A dose of Taiwan's routine childhood schedule, given at about this age."""

    vaccine: str  # vaccine code
    age_days: int
    born_from: int = 2003  # first birth year the dose applies to (schedules change) ...
    born_until: int = 9999  # ... and the last


# The data below is filled in by the catalogue's curator; see the module docstring.

# Laboratory items by name (codes of codes/data/labitem.csv). eGFR has no NHI code of
# its own: it is calculated from serum creatinine and reported under an internal code.
LABS: dict[str, str] = {
    "hba1c": "09006C",
    "glucose_ac": "09005C",
    "total_cholesterol": "09001C",
    "triglycerides": "09004C",
    "hdl": "09043C",
    "ldl": "09044C",
    "creatinine": "09015C",
    "egfr": "EGFR",
    "bun": "09002C",
    "urine_protein": "06013C",
    "acr": "12111C",
    "ast": "09025C",
    "alt": "09026C",
    "hbsag": "14032C",
    "hbeag": "14035C",
    "anti_hcv": "14051C",
    "uric_acid": "09013C",
    "afp": "12007C",
    "hbv_dna": "12184C",
    "hcv_rna": "12185C",
    "ggt": "09031C",
    "albumin": "09038C",
    "bilirubin": "09029C",
    "tsh": "09112C",
    "free_t4": "09106C",
    "psa": "12081C",
    "hb": "08003C",
    "wbc": "08002C",
    "platelet": "08006C",
    "potassium": "09022C",
    "sodium": "09021C",
    "calcium": "09011C",
    "phosphorus": "09012C",
    "crp": "12015C",
}

# Units of a drug taken per day, where not one (tablets, capsules, mL, g, or a fraction
# of a pen, inhaler or bottle that lasts several weeks).
DAILY_UNITS: dict[str, float] = {
    # diabetes
    "BC18514100": 2,  # metformin 500 mg twice daily
    "BC18515100": 2,  # metformin 850 mg twice daily
    "AC44718100": 2,  # metformin 500 mg twice daily
    "BC25100100": 2,  # sitagliptin/metformin twice daily
    "BC25026100": 2,  # vildagliptin 50 mg twice daily
    "BC19718100": 3,  # acarbose with each meal
    "BC22519100": 3,  # repaglinide with each meal
    "KC00862209": 1 / 15,  # insulin glargine pen, 300 U at about 20 U a day
    "KC00533209": 1 / 10,  # insulin aspart pen
    "KC01034209": 1 / 15,  # insulin degludec pen
    "KC01043209": 1 / 7,  # dulaglutide, weekly
    "KC00927209": 1 / 15,  # liraglutide pen
    # cardiovascular
    "BC25817100": 2,  # apixaban 5 mg twice daily
    "BC25330100": 2,  # dabigatran 110 mg twice daily
    "BC25544100": 2,  # ticagrelor 90 mg twice daily
    "BC21744100": 2,  # cilostazol 50 mg twice daily
    "BC26614100": 2,  # sacubitril/valsartan twice daily
    "BC21470100": 2,  # carvedilol twice daily
    "AC10358160": 3,  # diltiazem 30 mg three times daily
    "AC39087100": 2,  # pentoxifylline twice daily
    "BC24761100": 2,  # trimetazidine twice daily
    # kidney, gout, bone
    "AC33825100": 3,  # calcium carbonate with meals
    "AC41577100": 2,  # potassium citrate twice daily
    "AC62078121": 2,  # calcium polystyrene sulfonate 5 g twice daily
    "AC02419100": 2,  # allopurinol 100 mg twice daily
    "AC15830100": 2,  # colchicine 0.5 mg twice daily
    "BC24531100": 1 / 7,  # alendronate, weekly
    # respiratory: one inhaler lasts about a month
    "BC23011443": 1 / 30,
    "BC22475443": 1 / 30,
    "BC25975443": 1 / 30,
    "BC26301443": 1 / 30,
    "BC26448443": 1 / 30,
    "BC16433247": 1 / 20,
    "BC20880457": 1 / 30,
    "BC22305457": 1 / 30,
    "AC60851457": 1 / 30,
    "BC19624100": 2,  # theophylline SR twice daily
    # eye drops: a bottle lasts about a month
    "BC21617421": 1 / 30,
    "BC15292421": 1 / 30,
    "BC22416421": 1 / 14,
    "B020735429": 1 / 14,
    "BC21883421": 1 / 7,
    "BC18135421": 1 / 7,
    "AC33715421": 1 / 7,
    "BC22893421": 1 / 14,
    "BC18040431": 1 / 7,
    # topicals: a tube lasts one to two weeks
    "AC19616329": 1 / 7,
    "AC20745321": 1 / 7,
    "BC15660321": 1 / 7,
    "BC19270321": 1 / 7,
    "BC14503321": 1 / 7,
    "BC16821321": 1 / 7,
    "BC16520321": 1 / 7,
    "AC28850321": 1 / 10,
    "BC19905321": 1 / 14,
    "BC21988321": 1 / 30,
    "BC23712321": 1 / 14,
    "AC24134321": 1 / 7,
    # acute western drugs, three times daily
    "A032320100": 3,  # paracetamol 500 mg
    "A000076100": 3,
    "BC15838100": 3,
    "A032001100": 3,  # noscapine
    "AC14533100": 3,  # dextromethorphan
    "BC12830100": 3,  # ambroxol
    "AC15267100": 3,  # bromhexine
    "AB45993100": 1,  # acetylcysteine effervescent
    "A026078100": 3,
    "A027040100": 3,
    "AC06215100": 3,
    "BC02035100": 2,
    "AC32611100": 3,  # ibuprofen 400 mg
    "AC24133100": 3,  # diclofenac 25 mg
    "AC38612100": 2,
    "AC13504100": 3,  # mefenamic acid
    "BC22851100": 2,  # celecoxib 200 mg twice daily
    "BC23904100": 3,
    "AC22209100": 3,
    "BC19044100": 3,
    "BC17302100": 3,
    "BC17023100": 3,
    "AC57791100": 2,  # famotidine 20 mg twice daily
    "A023521100": 3,  # magnesium oxide
    "AC18112100": 3,
    "AC18502100": 3,
    "AC40215100": 3,  # mosapride
    "BC17104100": 3,  # domperidone
    "AC13802100": 3,
    "BC05813100": 3,
    "BC14120100": 2,
    "BC17819138": 3,
    "A043488100": 2,
    "BC18019151": 30,  # lactulose 15 mL twice daily
    "BC16701100": 2,  # procaterol twice daily
    "BC17620100": 3,
    "BC14725100": 3,
    "AC11834100": 3,  # amoxicillin 500 mg
    "AC11835100": 3,
    "BC19215100": 2,  # amoxicillin/clavulanate 1 g twice daily
    "BC19214100": 3,
    "AC10631100": 4,  # cephalexin
    "AC30271100": 3,
    "BC17430100": 2,
    "BC18128100": 2,
    "A000106100": 4,
    "AC25601100": 2,
    "BC16811100": 2,
    "AC09012100": 4,  # co-trimoxazole two tablets twice daily
    "BC08325100": 4,
    "AC12503100": 3,
    "BC13112100": 3,
    "BC23209100": 2,  # oseltamivir twice daily
    "AC34612100": 5,  # aciclovir 400 mg five times daily
    "BC20990100": 6,  # valaciclovir 1 g three times daily
    "BC14510100": 3,  # betahistine
    "BC16302100": 3,  # mecobalamin
    "AC11613100": 3,
    "BC24281100": 2,  # pregabalin twice daily
    "BC18413100": 3,
    "BC20173100": 3,
    "BC21430100": 2,
    "BC23120100": 2,
    "BC15021100": 2,
    "AC07814100": 3,
    "BC24060100": 1,
    "BC25130100": 2,  # silodosin 4 mg twice daily
    "AC26311100": 3,
    "AC03701100": 3,
    # children's liquids, mL a day
    "AC44811151": 15,
    "AC50233151": 15,
    "AC11838177": 15,
    "BC16701151": 10,
}

_TCM = {  # Chinese-medicine concentrated extracts (codes/data/drug.csv, kind tcm)
    "ge_gen_tang": "A046101100",
    "xiao_qing_long_tang": "A046108100",
    "jia_wei_xiao_yao_san": "A046115100",
    "xin_yi_qing_fei_tang": "A046122100",
    "xin_yi_san": "A046129100",
    "yin_qiao_san": "A046136100",
    "sang_ju_yin": "A046143100",
    "ma_xing_gan_shi_tang": "A046150100",
    "zhi_sou_san": "A046157100",
    "xing_su_san": "A046164100",
    "xiang_sha_liu_jun_zi_tang": "A046171100",
    "ban_xia_xie_xin_tang": "A046178100",
    "ping_wei_san": "A046185100",
    "huo_xiang_zheng_qi_san": "A046192100",
    "bu_zhong_yi_qi_tang": "A046199100",
    "liu_wei_di_huang_wan": "A046206100",
    "zhi_bai_di_huang_wan": "A046213100",
    "ji_sheng_shen_qi_wan": "A046220100",
    "suan_zao_ren_tang": "A046227100",
    "tian_wang_bu_xin_dan": "A046234100",
    "gui_pi_tang": "A046241100",
    "dang_gui_shao_yao_san": "A046248100",
    "wen_jing_tang": "A046255100",
    "gui_zhi_fu_ling_wan": "A046262100",
    "du_huo_ji_sheng_tang": "A046269100",
    "shu_jing_huo_xue_tang": "A046276100",
    "shao_yao_gan_cao_tang": "A046283100",
    "shen_tong_zhu_yu_tang": "A046290100",
    "xiao_feng_san": "A046297100",
    "jing_jie_lian_qiao_tang": "A046304100",
    "qing_shang_fang_feng_tang": "A046311100",
    "huang_lian_jie_du_tang": "A046318100",
    "long_dan_xie_gan_tang": "A046325100",
    "chuan_xiong_cha_tiao_san": "A046332100",
    "ban_xia_bai_zhu_tian_ma_tang": "A046339100",
    "ma_zi_ren_wan": "A046346100",
    "xiao_chai_hu_tang": "A046353100",
    "chai_hu_gui_zhi_tang": "A046360100",
    "gui_zhi_tang": "A046367100",
    "yu_ping_feng_san": "A046374100",
    "shen_ling_bai_zhu_san": "A046381100",
    "gan_mai_da_zao_tang": "A046388100",
    "zhu_ling_tang": "A046395100",
    "wu_ling_san": "A046402100",
    "qing_xin_lian_zi_yin": "A046409100",
    "yan_hu_suo": "A046416100",
    "jie_geng": "A046423100",
    "dan_shen": "A046430100",
    "du_zhong": "A046437100",
    "huang_qin": "A046444100",
}
# A formula is prescribed at about 4 g a day, a single herb (單方) at about 2 g.
_SINGLE_HERBS = {"yan_hu_suo", "jie_geng", "dan_shen", "du_zhong", "huang_qin"}
DAILY_UNITS.update({code: 2.0 if name in _SINGLE_HERBS else 4.0 for name, code in _TCM.items()})

_T = _TCM

# Prevalence bands are rough Taiwan adult figures (NHIS / TwSHHH surveys): about a
# quarter of people over 40 and half over 65 have hypertension, a tenth and a quarter
# diabetes; chronic hepatitis B is common in those born before the 1986 infant
# vaccination programme (now aged about 40 and over) and rare after it.
CHRONIC: tuple[ChronicCondition, ...] = (
    ChronicCondition(
        key="hypertension",
        diagnoses=("I10", "I11.9"),
        department="01",
        prevalence=((18, 0.02), (30, 0.06), (40, 0.18), (50, 0.30), (65, 0.50), (75, 0.60)),
        regimens=(
            ("AC57114100",),  # amlodipine
            ("BC21571100",),
            ("BC23373100",),  # valsartan
            ("BC22035100",),  # losartan
            ("BC24203100",),  # olmesartan
            ("BC23148100",),  # telmisartan
            ("BC25072100",),  # amlodipine/valsartan
            ("BC25410100",),  # telmisartan/amlodipine
            ("BC22036100",),  # losartan/HCTZ
            ("BC24203100", "AC57114100"),
            ("AC31223100", "AC57114100", "BC25207100"),  # the seed's regimen
            ("BC20907100", "AC57114100"),  # bisoprolol + amlodipine
            ("BC20566100",),  # nifedipine OROS
            ("BC22114100", "BC22388100"),  # irbesartan + indapamide
        ),
        labs=("creatinine", "egfr", "glucose_ac", "total_cholesterol"),
        lab_interval_months=12,
    ),
    ChronicCondition(
        key="diabetes",
        diagnoses=("E11.9", "E11.65", "E11.22", "E11.40"),
        department="02",
        prevalence=((20, 0.01), (30, 0.03), (40, 0.08), (50, 0.13), (65, 0.25), (75, 0.28)),
        regimens=(
            ("BC18514100",),  # metformin
            ("AC44718100",),
            ("BC18514100", "BC24730100"),  # + sitagliptin
            ("BC25100100",),  # sitagliptin/metformin
            ("BC18515100", "BC22134100"),  # + glimepiride
            ("BC18514100", "BC26138100"),  # + empagliflozin
            ("BC18514100", "BC26040100"),  # + dapagliflozin
            ("BC18514100", "BC25574100"),  # + linagliptin
            ("BC18515100", "BC23405100"),  # + gliclazide
            ("BC18515100", "BC25026100"),  # + vildagliptin
            ("BC18514100", "BC22807100"),  # + pioglitazone
            ("BC18515100", "BC24730100", "BC22134100"),
            ("KC00862209", "BC18514100"),  # basal insulin + metformin
            ("KC01043209", "BC18515100", "BC26138100"),  # GLP-1 RA
        ),
        labs=(
            "hba1c",
            "glucose_ac",
            "creatinine",
            "egfr",
            "acr",
            "total_cholesterol",
            "triglycerides",
            "hdl",
            "ldl",
            "alt",
        ),
        lab_interval_months=3,
    ),
    ChronicCondition(
        key="dyslipidaemia",
        diagnoses=("E78.5", "E78.2", "E78.00", "E78.1"),
        department="01",
        prevalence=((20, 0.02), (30, 0.05), (40, 0.12), (50, 0.20), (65, 0.30), (75, 0.30)),
        regimens=(
            ("BC22954100",),  # atorvastatin
            ("BC24131100",),  # rosuvastatin
            ("BC19857100",),  # simvastatin
            ("BC25113100",),  # pitavastatin
            ("BC24418100",),  # simvastatin/ezetimibe
            ("BC23275100",),  # fenofibrate
            ("BC24131100", "BC23812100"),  # + ezetimibe
        ),
        labs=("total_cholesterol", "triglycerides", "hdl", "ldl", "alt"),
        lab_interval_months=6,
    ),
    ChronicCondition(
        key="ckd",
        diagnoses=("N18.30", "N18.31", "N18.32", "N18.4", "N18.2"),
        department="02",
        prevalence=((20, 0.005), (40, 0.02), (50, 0.04), (65, 0.08), (75, 0.15)),
        regimens=(
            ("AC33825100",),  # calcium carbonate
            ("AC33825100", "BC17512100"),  # + calcitriol
            ("BC26040100",),  # dapagliflozin
            ("BC23373100",),  # valsartan for proteinuria
            ("AC41577100", "AC33825100"),
            ("AC02419100", "AC33825100"),
        ),
        labs=("creatinine", "egfr", "bun", "acr", "urine_protein", "uric_acid"),
        lab_interval_months=3,
    ),
    ChronicCondition(
        key="hepatitis_b",
        diagnoses=("B18.1",),
        department="02",
        # Carriers born before 1986 (about 40 and over now); far fewer after it.
        prevalence=((0, 0.003), (20, 0.01), (35, 0.04), (40, 0.11), (50, 0.13), (65, 0.10)),
        # Most carriers are only followed up; an empty regimen prescribes nothing.
        regimens=(
            (),
            (),
            (),
            ("BC24015100",),  # entecavir
            ("BC23450100",),  # tenofovir disoproxil
            ("BC26867100",),  # tenofovir alafenamide
        ),
        labs=("alt", "ast", "hbsag", "hbeag", "afp", "hbv_dna"),
        lab_interval_months=6,
    ),
    ChronicCondition(
        key="gout",
        diagnoses=("M10.9", "E79.0"),
        department="02",
        prevalence=((20, 0.01), (40, 0.03), (65, 0.05)),
        regimens=(
            ("AC02419100",),  # allopurinol
            ("BC25701100",),  # febuxostat
            ("AC42754160",),  # benzbromarone
            ("BC25701100", "AC15830100"),  # + colchicine
        ),
        labs=("uric_acid", "creatinine", "egfr"),
        lab_interval_months=6,
    ),
    ChronicCondition(
        key="copd",
        diagnoses=("J44.9",),
        department="02",
        prevalence=((40, 0.01), (65, 0.04), (75, 0.07)),
        regimens=(
            ("BC25975443",),  # tiotropium
            ("BC26301443",),  # indacaterol/glycopyrronium
            ("BC26448443",),  # umeclidinium/vilanterol
            ("BC26448443", "BC19624100"),  # + theophylline
        ),
        labs=(),
        lab_interval_months=12,
    ),
    ChronicCondition(
        key="asthma",
        diagnoses=("J45.909", "J45.20"),
        department="02",
        prevalence=((5, 0.04), (18, 0.03), (65, 0.04)),
        regimens=(
            ("BC23011443",),  # budesonide/formoterol
            ("BC22475443",),  # fluticasone/salmeterol
            ("BC22010100",),  # montelukast
            ("BC23011443", "BC22010100"),
        ),
        labs=(),
        lab_interval_months=12,
    ),
    ChronicCondition(
        key="hypothyroidism",
        diagnoses=("E03.9",),
        department="02",
        prevalence=((20, 0.008), (40, 0.015), (60, 0.03)),
        regimens=(("BC25533100",), ("BC25534100",)),
        labs=(),  # TSH and free T4 are in LABS should the generator model them
        lab_interval_months=6,
        sex="F",
    ),
    ChronicCondition(
        key="bph",
        diagnoses=("N40.1", "N40.0"),
        department="08",
        prevalence=((40, 0.02), (50, 0.08), (60, 0.15), (70, 0.25)),
        regimens=(
            ("BC25413100",),  # tamsulosin
            ("AC60574100",),
            ("BC25130100",),  # silodosin
            ("BC25413100", "BC24060100"),  # + dutasteride
            ("BC21641160",),  # doxazosin
        ),
        labs=(),  # PSA is in LABS should the generator model it
        lab_interval_months=12,
        sex="M",
    ),
    ChronicCondition(
        key="osteoporosis",
        diagnoses=("M81.0",),
        department="06",
        prevalence=((50, 0.03), (65, 0.10), (75, 0.18)),
        regimens=(
            ("BC24531100",),  # alendronate + vitamin D, weekly
            ("BC22630100",),  # raloxifene
            ("AC33825100", "BC17512100"),  # calcium + calcitriol
        ),
        labs=(),
        lab_interval_months=12,
        sex="F",
    ),
    ChronicCondition(
        key="depression",
        diagnoses=("F32.9", "F33.9"),
        department="13",
        prevalence=((18, 0.015), (40, 0.025), (65, 0.03)),
        regimens=(
            ("BC17952100",),  # sertraline
            ("BC23733100",),  # escitalopram
            ("BC22404100",),  # mirtazapine
            ("BC24440100",),  # duloxetine
            ("BC23733100", "BC15640100"),  # + alprazolam
            ("BC17320100",),  # fluoxetine
        ),
        labs=(),
        lab_interval_months=12,
    ),
    ChronicCondition(
        key="insomnia",
        diagnoses=("G47.00", "F51.01"),
        department="01",
        prevalence=((20, 0.02), (40, 0.05), (65, 0.10)),
        regimens=(
            ("BC19910100",),  # zolpidem
            ("BC16807100",),  # estazolam
            ("AC38255100",),  # trazodone
            ("BC18741160",),  # lorazepam
        ),
        labs=(),
        lab_interval_months=12,
    ),
    ChronicCondition(
        key="atrial_fibrillation",
        diagnoses=("I48.91",),
        department="02",
        prevalence=((60, 0.01), (75, 0.04)),
        regimens=(
            ("BC25384100", "BC24039160"),  # rivaroxaban + bisoprolol
            ("BC25817100",),  # apixaban
            ("BC26409100", "BC24039160"),  # edoxaban + bisoprolol
            ("BC25330100",),  # dabigatran
        ),
        labs=("creatinine", "egfr"),
        lab_interval_months=6,
    ),
    ChronicCondition(
        key="coronary_disease",
        diagnoses=("I25.10", "I20.9"),
        department="02",
        prevalence=((50, 0.02), (65, 0.05), (75, 0.08)),
        regimens=(
            ("AC37344160", "BC22954100"),  # aspirin + atorvastatin
            ("BC22977100", "BC24131100"),  # clopidogrel + rosuvastatin
            ("AC37344160", "BC20907100", "BC21811100"),  # + bisoprolol + nitrate
            ("AC37344160", "BC24131100", "BC24761100"),  # + trimetazidine
        ),
        labs=("ldl", "total_cholesterol", "creatinine"),
        lab_interval_months=6,
    ),
    ChronicCondition(
        key="glaucoma",
        diagnoses=("H40.1130",),
        department="10",
        prevalence=((40, 0.01), (65, 0.03)),
        regimens=(("BC21617421",), ("BC15292421",), ("BC21617421", "BC15292421")),
        labs=(),
        lab_interval_months=12,
    ),
    ChronicCondition(
        key="dementia",
        diagnoses=("F03.90", "G30.9"),
        department="12",
        prevalence=((65, 0.03), (75, 0.08), (85, 0.20)),
        regimens=(("BC22285100",), ("BC24062100",)),
        labs=(),
        lab_interval_months=12,
    ),
)


def _w(key, diagnoses, department, ages, weight, drugs=(), days=(3, 3), services=(), sex=""):
    return AcuteIllness(
        key, diagnoses, department, "western", ages, weight, drugs, days, services, False, sex
    )


def _c(key, diagnoses, ages, weight, drugs, days=(7, 7), services=(), sex=""):
    return AcuteIllness(
        key, diagnoses, "60", "tcm", ages, weight, drugs, days, services, False, sex
    )


def _d(key, diagnoses, department, ages, weight, services, tooth=True, drugs=(), days=(3, 3)):
    return AcuteIllness(
        key, diagnoses, department, "dental", ages, weight, drugs, days, services, tooth
    )


ACUTE: tuple[AcuteIllness, ...] = (
    # Western medicine
    _w(
        "uri",
        ("J06.9", "J00"),
        "01",
        (0, 100),
        30,
        ("A032320100", "BC20435100", "AC14533100", "A032001100", "BC12830100", "A026078100"),
    ),
    _w(
        "uri_child",
        ("J06.9", "J00", "J02.9"),
        "04",
        (0, 12),
        30,
        ("AC44811151", "AC50233151", "BC16701151", "AC11838177"),
        (3, 4),
    ),
    _w(
        "pharyngitis",
        ("J02.9", "J03.90"),
        "09",
        (3, 80),
        8,
        ("AC11834100", "A032320100", "BC15838100", "AC14533100"),
        (3, 5),
    ),
    _w(
        "sinusitis",
        ("J01.90", "J32.9"),
        "09",
        (6, 85),
        5,
        ("BC19215100", "BC20880457", "A026078100", "BC12830100"),
        (5, 7),
        ("54024C", "28002C"),
    ),
    _w(
        "acute_bronchitis",
        ("J20.9", "J40"),
        "02",
        (3, 95),
        10,
        ("A032001100", "A032320100", "BC19624100", "AB45993100", "BC12830100"),
    ),
    _w(
        "influenza",
        ("J11.1", "J10.1"),
        "01",
        (0, 100),
        5,
        ("BC23209100", "A032320100", "AC14533100"),
        (5, 5),
        ("14066C",),
    ),
    _w("cough", ("R05.9",), "01", (5, 95), 4, ("A032001100", "BC12830100", "AC15267100")),
    _w(
        "gastroenteritis",
        ("A09", "K52.9", "A08.4"),
        "01",
        (0, 95),
        9,
        ("BC17819138", "BC17104100", "BC05813100", "BC14120100"),
    ),
    _w(
        "gerd",
        ("K21.9", "K21.00"),
        "02",
        (20, 95),
        7,
        ("BC23141100", "BC22506100", "AC40215100", "AC18112100", "BC22600100"),
        (14, 28),
        ("28016C",),
    ),
    _w(
        "dyspepsia",
        ("K29.70", "K30", "K29.50"),
        "02",
        (18, 95),
        7,
        ("AC57791100", "AC18502100", "A023521100", "AC40215100"),
        (7, 14),
    ),
    _w(
        "constipation",
        ("K59.00",),
        "02",
        (1, 100),
        4,
        ("A023521100", "A043488100", "BC18019151", "AC36350500"),
        (7, 14),
    ),
    _w(
        "abdominal_pain",
        ("R10.9", "R10.13"),
        "01",
        (5, 90),
        3,
        ("BC05813100", "BC17104100", "AC18112100"),
        (3, 3),
        ("19001C",),
    ),
    _w(
        "low_back_pain",
        ("M54.50", "S39.012A", "M54.16"),
        "06",
        (20, 90),
        12,
        ("AC24133100", "BC19044100", "AC22209100", "BC24082100", "BC23904100"),
        (3, 7),
        ("42009C", "47039C", "32011C"),
    ),
    _w(
        "neck_pain",
        ("M54.2", "M50.30", "S16.1XXA"),
        "14",
        (25, 85),
        6,
        ("BC19044100", "AC24133100", "BC22851100"),
        (7, 7),
        ("42006C", "42009C"),
    ),
    _w(
        "knee_oa",
        ("M17.0", "M17.11", "M17.12"),
        "06",
        (50, 95),
        8,
        ("BC22851100", "A032320100", "AC24134321", "BC21703100"),
        (7, 28),
        ("39005C", "32017C", "42009C"),
    ),
    _w(
        "shoulder_pain",
        ("M75.01", "M75.41", "M25.511"),
        "06",
        (35, 85),
        4,
        ("BC24082100", "BC19044100", "AC24134321"),
        (7, 7),
        ("39018C", "42006C", "32013C"),
    ),
    _w(
        "ankle_sprain",
        ("S93.401A", "S93.402A"),
        "06",
        (8, 70),
        5,
        ("AC24133100", "AC24134321", "A032320100"),
        (5, 5),
        ("32017C", "47039C"),
    ),
    _w(
        "contusion",
        ("S80.01XA", "S40.011A", "S30.0XXA"),
        "06",
        (3, 90),
        4,
        ("A032320100", "AC24134321"),
        (3, 5),
        ("32017C",),
    ),
    _w(
        "laceration",
        ("S61.411A", "S01.81XA", "S81.811A"),
        "03",
        (2, 85),
        3,
        ("A032320100", "AC10631100"),
        (3, 5),
        ("48001C", "48011C", "48025C"),
    ),
    _w(
        "plantar_fasciitis",
        ("M72.2",),
        "06",
        (30, 70),
        2,
        ("BC22851100", "AC24134321"),
        (7, 14),
        ("42009C", "39018C"),
    ),
    _w(
        "trigger_finger",
        ("M65.311", "M65.321"),
        "06",
        (40, 75),
        2,
        ("AC24133100",),
        (7, 7),
        ("39018C",),
    ),
    _w(
        "carpal_tunnel",
        ("G56.01", "G56.02"),
        "12",
        (35, 75),
        2,
        ("BC16302100", "BC22851100"),
        (14, 28),
    ),
    _w(
        "gout_attack",
        ("M10.071", "M10.9"),
        "02",
        (30, 85),
        3,
        ("AC15830100", "AC24133100", "BC15021100"),
        (5, 7),
        ("09013C",),
        "M",
    ),
    _w(
        "headache",
        ("R51.9", "G44.209"),
        "12",
        (15, 80),
        4,
        ("A032320100", "AC26233160", "BC17302100"),
        (7, 7),
    ),
    _w("migraine", ("G43.909",), "12", (15, 60), 3, ("AC13504100", "AC26233160"), (7, 14)),
    _w(
        "dizziness",
        ("R42", "H81.10", "H81.399"),
        "12",
        (30, 95),
        5,
        ("BC14510100", "AC26233160", "AC13802100"),
        (7, 7),
    ),
    _w("insomnia_short", ("G47.00",), "01", (20, 95), 4, ("BC19910100", "BC16807100"), (7, 14)),
    _w("anxiety", ("F41.9", "F41.1"), "13", (18, 80), 3, ("BC15640100", "BC23733100"), (14, 28)),
    _w(
        "allergic_rhinitis",
        ("J30.9", "J30.89"),
        "09",
        (3, 80),
        10,
        ("BC23016160", "BC20880457", "BC22305457", "BC22010100", "BC23711100"),
        (7, 14),
        ("54024C",),
    ),
    _w(
        "conjunctivitis",
        ("H10.33", "H10.9"),
        "10",
        (1, 90),
        5,
        ("BC21883421", "BC22893421", "AC33715421"),
        (7, 7),
    ),
    _w(
        "allergic_conjunctivitis",
        ("H10.13", "H10.45"),
        "10",
        (3, 70),
        3,
        ("BC22893421", "AC33715421"),
        (7, 14),
    ),
    _w(
        "dry_eye",
        ("H04.123",),
        "10",
        (40, 90),
        3,
        ("BC22416421", "B020735429"),
        (28, 28),
        ("23502C",),
    ),
    _w(
        "hordeolum",
        ("H00.011", "H00.014"),
        "10",
        (5, 60),
        2,
        ("BC18135421", "BC21883421", "A032320100"),
        (5, 7),
    ),
    _w(
        "otitis_media",
        ("H66.90", "H66.009", "H65.90"),
        "09",
        (0, 10),
        6,
        ("AC11838177", "AC44811151"),
        (5, 7),
        ("54027C",),
    ),
    _w("otitis_externa", ("H60.393",), "09", (5, 70), 2, ("BC18040431",), (5, 7), ("54027C",)),
    _w("cerumen", ("H61.23",), "09", (5, 90), 2, (), (1, 1), ("54001C",)),
    _w(
        "uti",
        ("N39.0", "N30.00", "N30.01"),
        "08",
        (15, 90),
        6,
        ("AC09012100", "BC08325100", "BC16811100"),
        (3, 7),
        ("06012C", "13007C"),
        "F",
    ),
    _w(
        "vaginitis",
        ("N76.0", "B37.3"),
        "05",
        (18, 60),
        3,
        ("AC19422100", "AC12503100"),
        (7, 7),
        (),
        "F",
    ),
    _w(
        "dysmenorrhoea",
        ("N94.6",),
        "05",
        (13, 45),
        3,
        ("AC13504100", "AC32611100"),
        (3, 3),
        ("19003C",),
        "F",
    ),
    _w(
        "dermatitis",
        ("L30.9", "L23.9", "L25.9"),
        "11",
        (0, 90),
        9,
        ("AC20745321", "BC19270321", "BC20435100", "BC02035100"),
        (7, 7),
    ),
    _w(
        "atopic_dermatitis",
        ("L20.9",),
        "11",
        (0, 40),
        4,
        ("BC23712321", "BC19270321", "BC23711100"),
        (14, 28),
    ),
    _w(
        "urticaria",
        ("L50.9", "L50.0"),
        "11",
        (3, 80),
        4,
        ("BC23016160", "BC18716100", "BC02035100"),
        (7, 7),
    ),
    _w(
        "tinea",
        ("B35.3", "B35.4", "B35.6"),
        "11",
        (10, 90),
        4,
        ("BC19905321", "AC28850321", "BC16520321"),
        (14, 14),
    ),
    _w("acne", ("L70.0",), "11", (12, 35), 4, ("BC21988321", "AC25601100"), (28, 28)),
    _w(
        "skin_infection",
        ("L01.00", "L08.9", "L02.91"),
        "11",
        (1, 70),
        3,
        ("BC14503321", "BC16821321", "AC10631100"),
        (5, 7),
        ("56005C",),
    ),
    _w(
        "herpes_zoster",
        ("B02.9",),
        "11",
        (40, 95),
        2,
        ("BC20990100", "A032320100", "BC24281100"),
        (7, 7),
    ),
    _w("warts", ("B07.9",), "11", (5, 60), 2, (), (1, 1), ("51017C",)),
    _w(
        "hand_foot_mouth", ("B08.4", "B08.5"), "04", (0, 6), 4, ("AC44811151", "AC50233151"), (3, 5)
    ),
    _w(
        "viral_fever_child",
        ("B34.9", "R50.9"),
        "04",
        (0, 12),
        6,
        ("AC44811151", "AC50233151", "BC16701151"),
        (3, 3),
        ("08011C",),
    ),
    _w("hemorrhoids", ("K64.8", "K64.1"), "03", (25, 80), 2, ("A023521100", "A043488100"), (7, 7)),
    _w("chest_pain", ("R07.9", "R07.89"), "02", (30, 90), 2, (), (1, 1), ("18001C", "32001C")),
    _w("palpitation", ("R00.2",), "02", (20, 80), 2, ("BC24039160",), (7, 14), ("18001C",)),
    # Chinese medicine
    _c(
        "tcm_common_cold",
        ("J06.9", "J00"),
        (3, 80),
        8,
        (_T["ge_gen_tang"], _T["yin_qiao_san"], _T["sang_ju_yin"], _T["jie_geng"]),
        (3, 7),
    ),
    _c(
        "tcm_cough",
        ("R05.9", "J20.9"),
        (3, 90),
        6,
        (_T["ma_xing_gan_shi_tang"], _T["zhi_sou_san"], _T["xing_su_san"], _T["jie_geng"]),
    ),
    _c(
        "tcm_allergic_rhinitis",
        ("J30.9",),
        (3, 80),
        10,
        (
            _T["xiao_qing_long_tang"],
            _T["xin_yi_qing_fei_tang"],
            _T["xin_yi_san"],
            _T["yu_ping_feng_san"],
        ),
        (7, 14),
    ),
    _c(
        "tcm_dyspepsia",
        ("K30", "K29.70"),
        (15, 90),
        5,
        (
            _T["xiang_sha_liu_jun_zi_tang"],
            _T["ban_xia_xie_xin_tang"],
            _T["ping_wei_san"],
            _T["huo_xiang_zheng_qi_san"],
        ),
    ),
    _c(
        "tcm_insomnia",
        ("G47.00",),
        (20, 90),
        5,
        (
            _T["suan_zao_ren_tang"],
            _T["jia_wei_xiao_yao_san"],
            _T["tian_wang_bu_xin_dan"],
            _T["gan_mai_da_zao_tang"],
        ),
        (7, 14),
    ),
    _c(
        "tcm_dysmenorrhoea",
        ("N94.6",),
        (13, 50),
        5,
        (
            _T["dang_gui_shao_yao_san"],
            _T["wen_jing_tang"],
            _T["gui_zhi_fu_ling_wan"],
            _T["jia_wei_xiao_yao_san"],
        ),
        sex="F",
    ),
    _c(
        "tcm_menopause",
        ("N95.1",),
        (45, 60),
        3,
        (_T["jia_wei_xiao_yao_san"], _T["zhi_bai_di_huang_wan"], _T["gan_mai_da_zao_tang"]),
        (14, 14),
        sex="F",
    ),
    _c(
        "tcm_low_back_pain",
        ("M54.50", "S39.012A"),
        (20, 90),
        10,
        (
            _T["du_huo_ji_sheng_tang"],
            _T["shu_jing_huo_xue_tang"],
            _T["du_zhong"],
            _T["shao_yao_gan_cao_tang"],
        ),
        (7, 7),
        ("D01", "E01", "F01", "D03"),
    ),
    _c(
        "tcm_neck_shoulder_pain",
        ("M54.2", "M62.830"),
        (20, 85),
        8,
        (_T["ge_gen_tang"], _T["shu_jing_huo_xue_tang"], _T["shen_tong_zhu_yu_tang"]),
        (7, 7),
        ("D01", "E01", "F01"),
    ),
    _c(
        "tcm_sprain",
        ("S93.401A", "S63.501A", "S83.91XA"),
        (8, 70),
        5,
        (_T["shen_tong_zhu_yu_tang"], _T["shao_yao_gan_cao_tang"], _T["yan_hu_suo"]),
        (5, 7),
        ("E01", "E03", "F01"),
    ),
    _c(
        "tcm_eczema",
        ("L30.9", "L50.9"),
        (3, 80),
        4,
        (_T["xiao_feng_san"], _T["huang_lian_jie_du_tang"], _T["long_dan_xie_gan_tang"]),
        (7, 14),
    ),
    _c(
        "tcm_acne",
        ("L70.0",),
        (12, 35),
        3,
        (_T["jing_jie_lian_qiao_tang"], _T["qing_shang_fang_feng_tang"], _T["huang_qin"]),
        (14, 14),
    ),
    _c(
        "tcm_headache",
        ("R51.9", "R42"),
        (15, 80),
        3,
        (_T["chuan_xiong_cha_tiao_san"], _T["ban_xia_bai_zhu_tian_ma_tang"], _T["yan_hu_suo"]),
        (7, 7),
        ("D01",),
    ),
    _c("tcm_constipation", ("K59.00",), (15, 90), 2, (_T["ma_zi_ren_wan"], _T["wu_ling_san"])),
    _c(
        "tcm_fatigue",
        ("R53.83",),
        (20, 90),
        3,
        (
            _T["bu_zhong_yi_qi_tang"],
            _T["gui_pi_tang"],
            _T["liu_wei_di_huang_wan"],
            _T["shen_ling_bai_zhu_san"],
        ),
        (14, 14),
    ),
    _c(
        "tcm_child_poor_appetite",
        ("K30",),
        (2, 12),
        2,
        (_T["shen_ling_bai_zhu_san"], _T["xiang_sha_liu_jun_zi_tang"], _T["xiao_chai_hu_tang"]),
    ),
    # Dental
    _d(
        "caries_filling",
        ("K02.52", "K02.62", "K02.9"),
        "40",
        (6, 95),
        20,
        ("89008C", "89009C", "89004C", "89011C", "89013C"),
    ),
    _d("deep_caries", ("K02.53", "K02.63"), "41", (10, 90), 5, ("89006C", "89009C", "89010C")),
    _d("root_caries", ("K02.7", "K03.1"), "40", (50, 95), 4, ("89011C", "89013C")),
    _d(
        "root_canal",
        ("K04.02", "K04.1", "K04.5"),
        "42",
        (12, 90),
        8,
        ("90015C", "90001C", "90002C", "90003C", "90012C"),
        True,
        ("AC11834100", "A032320100"),
        (3, 3),
    ),
    _d(
        "pulpitis_emergency",
        ("K04.01", "K04.02"),
        "40",
        (10, 90),
        5,
        ("90004C", "89006C"),
        True,
        ("A032320100", "AC32611100"),
        (3, 3),
    ),
    _d(
        "periapical_abscess",
        ("K04.7", "K04.4"),
        "40",
        (10, 90),
        3,
        ("92071C", "90004C"),
        True,
        ("AC11834100", "A032320100"),
        (3, 5),
    ),
    _d(
        "extraction",
        ("K04.5", "K05.323", "K08.89"),
        "40",
        (30, 95),
        6,
        ("92013C", "92014C", "92012C"),
        True,
        ("AC11834100", "A032320100"),
        (3, 3),
    ),
    _d(
        "wisdom_tooth",
        ("K01.1",),
        "47",
        (17, 45),
        4,
        ("92015C", "92016C", "92005C"),
        True,
        ("AC11834100", "AC32611100"),
        (3, 5),
    ),
    _d(
        "chronic_periodontitis",
        ("K05.321", "K05.322", "K05.311", "K05.6"),
        "43",
        (30, 90),
        8,
        ("91007C", "91008C", "91014C", "91006C"),
        False,
    ),
    _d(
        "acute_periodontitis",
        ("K05.219",),
        "40",
        (20, 90),
        3,
        ("91001C", "91003C"),
        False,
        ("AC11834100", "A032320100"),
        (3, 3),
    ),
    _d("gingivitis", ("K05.10", "K05.00"), "40", (12, 90), 6, ("91003C", "91014C"), False),
    _d("primary_caries", ("K02.52", "K02.62"), "46", (2, 10), 10, ("89011C", "89013C", "89004C")),
    _d("primary_pulpotomy", ("K04.02", "K04.01"), "46", (3, 9), 4, ("90005C", "90016C")),
    _d("primary_extraction", ("K00.6",), "46", (5, 12), 5, ("92055C",)),
    _d("oral_ulcer", ("K12.0",), "40", (10, 80), 2, ("92066C",), False),
)

IMAGING: tuple[ImagingExam, ...] = (
    ImagingExam(
        "chest_xray",
        "32001C",
        "imaging",
        "CHEST",
        "Chest PA view: The heart size is within normal limits. Both lung fields are clear "
        "without active infiltration. No pleural effusion. The bony thorax is intact.",
        "No active lung lesion.",
    ),
    ImagingExam(
        "chest_xray_pneumonia",
        "32001C",
        "imaging",
        "LUNG",
        "Chest PA view: Patchy consolidation in the right lower lung field with air "
        "bronchograms. Blunting of the right costophrenic angle. Heart size is normal.",
        "Right lower lobe pneumonia with minimal right pleural effusion.",
    ),
    ImagingExam(
        "kub",
        "32006C",
        "imaging",
        "KIDNEY",
        "KUB: Nonspecific bowel gas pattern. A 6 mm calcified opacity is noted over the "
        "course of the left ureter at the L4 level. Psoas shadows are symmetric.",
        "Suspected left ureteral stone, 6 mm.",
    ),
    ImagingExam(
        "abdominal_us",
        "19001C",
        "imaging",
        "LIVER",
        "Liver: coarse echotexture with a smooth surface; no focal lesion. Gallbladder: "
        "no stone. CBD: not dilated. Spleen: 9.8 cm. Both kidneys normal in size with no "
        "hydronephrosis. No ascites.",
        "Chronic parenchymal liver disease, no hepatic tumour detected. Suggest follow-up in 6 "
        "months.",
    ),
    ImagingExam(
        "abdominal_us_followup",
        "19009C",
        "imaging",
        "LIVER",
        "Follow-up study. Liver: mildly coarse parenchyma, increased echogenicity compared with "
        "the kidney; no space-occupying lesion. Portal vein patent with hepatopetal flow. "
        "Spleen not enlarged. No ascites.",
        "Chronic hepatitis B with fatty liver, mild. No hepatoma. Follow-up in 6 months.",
    ),
    ImagingExam(
        "gallbladder_us",
        "19001C",
        "imaging",
        "GALLBLADDER",
        "Distended gallbladder with wall thickening (5 mm) and multiple echogenic stones with "
        "acoustic shadowing, the largest 1.5 cm impacted at the neck. Positive sonographic "
        "Murphy's sign. CBD 5 mm.",
        "Acute calculous cholecystitis.",
    ),
    ImagingExam(
        "knee_xray",
        "32017C",
        "imaging",
        "KNEE",
        "Both knees, standing AP and lateral views: joint space narrowing, more severe at the "
        "medial compartments, with marginal osteophytes and subchondral sclerosis.",
        "Osteoarthritis of both knees, Kellgren-Lawrence grade III.",
    ),
    ImagingExam(
        "lspine_xray",
        "32011C",
        "imaging",
        "L_SPINE",
        "L-spine AP and lateral views: spondylotic change with marginal spurs at L3-L5. "
        "Disc space narrowing at L4-5 and L5-S1. No compression fracture. Alignment preserved.",
        "Lumbar spondylosis with degenerative disc disease, L4-S1.",
    ),
    ImagingExam(
        "cspine_xray",
        "32011C",
        "imaging",
        "C_SPINE",
        "C-spine AP, lateral and oblique views: straightening of the cervical lordosis. "
        "Osteophytes at C5-C6 with mild disc space narrowing. Neural foramina patent.",
        "Cervical spondylosis, C5-6.",
    ),
    ImagingExam(
        "hip_xray",
        "32022C",
        "imaging",
        "HIP",
        "Pelvis AP and right hip lateral views: displaced fracture of the right femoral neck "
        "with shortening and external rotation of the femur. Osteopenia.",
        "Displaced right femoral neck fracture (Garden IV).",
    ),
    ImagingExam(
        "brain_ct",
        "33070B",
        "imaging",
        "BRAIN",
        "Non-contrast CT of the brain: ill-defined hypodensity in the left MCA territory "
        "involving the left frontoparietal lobe and basal ganglia. No intracranial haemorrhage. "
        "Midline structures are not shifted. Periventricular white matter hypodensities.",
        "Acute to subacute infarction in the left MCA territory. Small vessel disease.",
    ),
    ImagingExam(
        "brain_mri",
        "33084B",
        "imaging",
        "BRAIN",
        "MRI of the brain: restricted diffusion in the left corona radiata and basal ganglia "
        "on DWI with low ADC. Scattered T2/FLAIR hyperintensities in the periventricular white "
        "matter. MRA: moderate stenosis of the left M1 segment.",
        "Acute infarction, left corona radiata. Left MCA stenosis.",
    ),
    ImagingExam(
        "chest_ct",
        "33072B",
        "imaging",
        "LUNG",
        "CT of the chest with and without contrast: a 7 mm solid nodule in the right upper "
        "lobe. Centrilobular emphysema in both upper lobes. No mediastinal lymphadenopathy. "
        "No pleural effusion.",
        "Right upper lobe pulmonary nodule, 7 mm; follow-up CT in 6-12 months is suggested. "
        "Emphysema.",
    ),
    ImagingExam(
        "abdomen_ct",
        "33072B",
        "imaging",
        "ABDOMEN",
        "CT of the abdomen with contrast: dilated appendix (11 mm) with wall enhancement and "
        "periappendiceal fat stranding. An appendicolith is noted. No free air. No abscess.",
        "Acute appendicitis with appendicolith.",
    ),
    ImagingExam(
        "abdomen_ct_colon",
        "33072B",
        "imaging",
        "COLON",
        "CT of the abdomen and pelvis with contrast: segmental circumferential wall thickening "
        "of the sigmoid colon, about 5 cm in length, with a few pericolic lymph nodes up to "
        "8 mm. No liver metastasis. No ascites.",
        "Sigmoid colon cancer, cT3N1, no distant metastasis.",
    ),
    ImagingExam(
        "lspine_mri",
        "33084B",
        "imaging",
        "L_SPINE",
        "MRI of the L-spine: disc desiccation at L4-5 and L5-S1. Left paracentral disc "
        "extrusion at L4-5 compressing the left L5 nerve root. Mild central canal stenosis.",
        "HIVD, L4-5, with left L5 radiculopathy.",
    ),
    ImagingExam(
        "mammography",
        "33005B",
        "imaging",
        "BREAST",
        "Bilateral mammography, CC and MLO views: heterogeneously dense breasts. No suspicious "
        "mass, architectural distortion or clustered microcalcification.",
        "BI-RADS category 1: negative.",
    ),
    ImagingExam(
        "mammography_mass",
        "33005B",
        "imaging",
        "BREAST",
        "Bilateral mammography: an irregular spiculated mass, 1.8 cm, in the upper outer "
        "quadrant of the left breast with associated pleomorphic microcalcifications.",
        "BI-RADS category 5: highly suggestive of malignancy. Biopsy is recommended.",
    ),
    ImagingExam(
        "breast_us",
        "19014C",
        "imaging",
        "BREAST",
        "Breast ultrasound: a well-circumscribed oval hypoechoic nodule, 1.2 x 0.8 cm, "
        "parallel to the skin at the right breast 10 o'clock. No axillary lymphadenopathy.",
        "Right breast nodule, probably benign (BI-RADS 3). Follow-up in 6 months.",
    ),
    ImagingExam(
        "thyroid_us",
        "19012C",
        "imaging",
        "THYROID",
        "Thyroid ultrasound: several iso- to hypoechoic nodules in both lobes, the largest "
        "1.4 cm in the right lobe, with a spongiform appearance. No calcification.",
        "Multinodular goitre, benign-appearing (TI-RADS 2).",
    ),
    ImagingExam(
        "echocardiography",
        "18005C",
        "imaging",
        "HEART",
        "Transthoracic echocardiography: LV dilated (LVEDD 62 mm) with global hypokinesia. "
        "LVEF 35% (Simpson). Moderate mitral regurgitation. Mild tricuspid regurgitation; "
        "estimated PASP 42 mmHg.",
        "Dilated LV with reduced systolic function (LVEF 35%). Moderate MR. Mild pulmonary "
        "hypertension.",
    ),
    ImagingExam(
        "ecg",
        "18001C",
        "imaging",
        "HEART",
        "Sinus rhythm, heart rate 88/min. ST elevation in leads II, III and aVF with "
        "reciprocal ST depression in I and aVL.",
        "Acute inferior wall ST-elevation myocardial infarction.",
    ),
    ImagingExam(
        "obstetric_us",
        "19010C",
        "imaging",
        "UTERUS",
        "Single live intrauterine fetus in cephalic presentation. BPD and FL consistent with "
        "38 weeks. Amniotic fluid index 12 cm. Placenta posterior, grade II, not low-lying.",
        "Single live fetus, 38 weeks, cephalic presentation. Normal amniotic fluid.",
    ),
    ImagingExam(
        "dxa",
        "33064B",
        "imaging",
        "L_SPINE",
        "DXA: L1-L4 BMD 0.742 g/cm2, T-score -3.0. Left femoral neck BMD 0.561 g/cm2, "
        "T-score -2.7.",
        "Osteoporosis.",
    ),
    ImagingExam(
        "upper_gi_endoscopy",
        "28016C",
        "imaging",
        "UPPER_GI",
        "Oesophagus: a mucosal break under 5 mm at the EC junction. Stomach: patchy erythema "
        "of the antrum; a 0.8 cm clean-based ulcer on the lesser curvature of the antrum. "
        "Duodenum: normal. CLO test positive. Biopsy taken from the antrum.",
        "Reflux oesophagitis, LA grade A. Gastric ulcer, antrum, A2 stage. H. pylori infection.",
    ),
    ImagingExam(
        "colonoscopy",
        "28017C",
        "imaging",
        "COLON",
        "Colonoscopy to the caecum; bowel preparation good. Two sessile polyps, 0.6 cm and "
        "0.4 cm, in the sigmoid colon, removed by cold snare polypectomy. Internal haemorrhoids.",
        "Sigmoid colon polyps, s/p polypectomy. Internal haemorrhoids.",
    ),
    ImagingExam(
        "gastric_biopsy_pathology",
        "25003C",
        "pathology",
        "UPPER_GI",
        "Stomach, antrum, endoscopic biopsy: the gastric mucosa shows chronic active "
        "inflammation with lymphoplasmacytic infiltrate and neutrophils. Helicobacter-like "
        "organisms are identified. No intestinal metaplasia, dysplasia or malignancy.",
        "Stomach, antrum, biopsy: chronic active gastritis, Helicobacter pylori associated.",
    ),
    ImagingExam(
        "colon_polyp_pathology",
        "25003C",
        "pathology",
        "COLON",
        "Colon, sigmoid, polypectomy: two fragments of polypoid colonic mucosa with tubular "
        "glands lined by dysplastic epithelium showing nuclear elongation and stratification. "
        "The stalk margin is free.",
        "Colon, sigmoid, polypectomy: tubular adenoma with low-grade dysplasia.",
    ),
    ImagingExam(
        "breast_biopsy_pathology",
        "25004C",
        "pathology",
        "BREAST",
        "Breast, right, core needle biopsy: a biphasic lesion with proliferating stroma "
        "compressing benign ducts into slit-like spaces. No atypia.",
        "Breast, right, core biopsy: fibroadenoma.",
    ),
    ImagingExam(
        "breast_cancer_pathology",
        "25025C",
        "pathology",
        "BREAST",
        "Breast, left, modified radical mastectomy: an invasive carcinoma of no special type, "
        "2.1 cm, Nottingham grade 2. Resection margins free. Metastatic carcinoma in 1 of 15 "
        "axillary lymph nodes. ER positive (90%), PR positive (60%), HER2 negative (1+).",
        "Invasive breast carcinoma, NST, grade 2, pT2N1a; ER+/PR+/HER2-.",
    ),
    ImagingExam(
        "colon_cancer_pathology",
        "25024C",
        "pathology",
        "COLON",
        "Colon, sigmoid, laparoscopic anterior resection: an ulcerative tumour, 4.5 cm, "
        "invading through the muscularis propria into pericolorectal tissue. Moderately "
        "differentiated adenocarcinoma. Margins free. 2 of 18 regional lymph nodes involved.",
        "Sigmoid colon adenocarcinoma, moderately differentiated, pT3N1b.",
    ),
    ImagingExam(
        "appendix_pathology",
        "25002C",
        "pathology",
        "APPENDIX",
        "Appendix, appendectomy: the appendix measures 6.5 cm with a congested serosa. "
        "Sections show transmural neutrophilic infiltrate with mucosal ulceration and "
        "periappendicitis.",
        "Appendix, appendectomy: acute suppurative appendicitis.",
    ),
    ImagingExam(
        "gallbladder_pathology",
        "25002C",
        "pathology",
        "GALLBLADDER",
        "Gallbladder, laparoscopic cholecystectomy: the wall is thickened to 0.5 cm with "
        "mucosal ulceration, oedema and acute and chronic inflammation. Multiple yellow "
        "cholesterol stones.",
        "Gallbladder, cholecystectomy: acute on chronic calculous cholecystitis.",
    ),
    ImagingExam(
        "skin_biopsy_pathology",
        "25002C",
        "pathology",
        "SKIN",
        "Skin, back, excision: a cyst lined by stratified squamous epithelium with a granular "
        "layer, filled with laminated keratin. Margins free.",
        "Skin, back, excision: epidermal cyst.",
    ),
)

# Hepatitis B carriers have their liver scanned with their six-monthly tests.
LIVER_ULTRASOUND = "abdominal_us_followup"

ADMISSIONS: tuple[Admission, ...] = (
    Admission(
        "pneumonia",
        ("J18.9", "J15.9"),
        "02",
        (0, 100),
        10,
        (5, 10),
        imaging=("chest_xray_pneumonia",),
        drugs=("BC19215100", "A032001100", "BC12830100"),
        chief_complaint="發燒、咳嗽有痰三天，併有呼吸喘。",
        course="入院後胸部X光顯示右下肺葉浸潤，抽血白血球及CRP上升，診斷為社區型肺炎。給予靜脈注射"
        "抗生素Ampicillin/Sulbactam、氧氣及化痰藥物治療。住院期間體溫逐漸恢復正常，痰量減少，"
        "呼吸狀況改善，改為口服抗生素後出院。",
        plan="口服抗生素使用完畢；一週後胸腔內科門診追蹤並複查胸部X光。如再發燒或呼吸喘，請立即返診。",
    ),
    Admission(
        "influenza_pneumonia",
        ("J11.00",),
        "02",
        (0, 100),
        3,
        (4, 9),
        imaging=("chest_xray_pneumonia",),
        drugs=("BC23209100", "A032320100"),
        chief_complaint="發燒、全身痠痛及咳嗽四天，呼吸急促一天。",
        course="入院時流感快篩陽性，胸部X光兩側肺浸潤，診斷為流行性感冒併肺炎。給予克流感"
        "(Oseltamivir)、經驗性抗生素及氧氣治療，於隔離病房照護。病況穩定改善後出院。",
        plan="完成克流感療程；一週後門診追蹤。建議每年接種流感疫苗。",
    ),
    Admission(
        "cellulitis",
        ("L03.115", "L03.116"),
        "03",
        (20, 95),
        6,
        (4, 8),
        drugs=("AC10631100", "A032320100"),
        chief_complaint="右小腿紅腫熱痛三天，併有發燒。",
        course="理學檢查右小腿紅腫範圍約15x10公分，診斷為蜂窩性組織炎。給予靜脈注射Cefazolin抗生素、"
        "患肢抬高及傷口照護，紅腫範圍逐漸縮小，體溫恢復正常。",
        plan="口服抗生素續用七天，患肢抬高休息；一週後外科門診追蹤。糖尿病患者請控制血糖。",
    ),
    Admission(
        "appendicitis",
        ("K35.80", "K35.20"),
        "03",
        (8, 70),
        6,
        (3, 5),
        surgery="74004B",
        body_site="APPENDIX",
        imaging=("abdomen_ct", "appendix_pathology"),
        drugs=("A032320100",),
        chief_complaint="上腹痛轉移至右下腹痛一天，伴隨噁心及發燒。",
        course="右下腹McBurney點壓痛及反彈痛，電腦斷層顯示急性闌尾炎。於入院當日接受腹腔鏡闌尾切除術，"
        "術後給予預防性抗生素及止痛，恢復進食順利，傷口癒合良好。病理報告為急性化膿性闌尾炎。",
        plan="傷口保持乾燥；一週後一般外科門診追蹤及拆線。一個月內避免劇烈運動及提重物。",
    ),
    Admission(
        "cholecystitis",
        ("K80.00", "K81.0"),
        "03",
        (30, 85),
        5,
        (3, 6),
        surgery="75215B",
        body_site="GALLBLADDER",
        imaging=("gallbladder_us", "gallbladder_pathology"),
        drugs=("A032320100",),
        chief_complaint="右上腹痛合併發燒兩天，油膩飲食後加劇。",
        course="腹部超音波顯示膽囊結石併急性膽囊炎。給予抗生素治療後接受腹腔鏡膽囊切除術，"
        "術後恢復良好，可正常進食，無黃疸。病理報告為急性及慢性結石性膽囊炎。",
        plan="清淡飲食，避免高油脂食物；一週後一般外科門診追蹤。",
    ),
    Admission(
        "knee_replacement",
        ("M17.11", "M17.12", "M17.0"),
        "06",
        (55, 90),
        5,
        (5, 8),
        surgery="64164B",
        body_site="KNEE",
        imaging=("knee_xray",),
        drugs=("BC22851100", "A032320100", "BC25384100"),
        chief_complaint="雙膝疼痛多年，右膝疼痛加劇、行走困難，經保守治療無效。",
        course="膝關節X光顯示嚴重退化性關節炎，入院接受右側全膝關節置換術。術後給予止痛、"
        "預防性抗生素及抗凝血劑，並開始復健運動，可使用助行器行走後出院。",
        plan="持續居家復健運動；兩週後骨科門診追蹤及拆線。若傷口紅腫、發燒或小腿腫痛，請立即返診。",
    ),
    Admission(
        "hip_fracture",
        ("S72.001A", "S72.002A", "S72.141A"),
        "06",
        (70, 100),
        4,
        (7, 14),
        surgery="64170B",
        body_site="HIP",
        imaging=("hip_xray", "chest_xray"),
        drugs=("A032320100", "AC33825100", "BC24531100"),
        chief_complaint="在家中跌倒後右髖疼痛，無法站立行走。",
        course="X光顯示右側股骨頸移位性骨折。經術前評估後接受人工半髖關節置換術，術後給予止痛、"
        "預防性抗生素及抗凝血劑，並安排復健。骨密度檢查顯示骨質疏鬆，開始骨質疏鬆治療。",
        plan="持續復健及防跌措施；服用鈣片及骨質疏鬆藥物。兩週後骨科門診追蹤。",
    ),
    Admission(
        "cataract",
        ("H25.13", "H25.11", "H25.12"),
        "10",
        (55, 95),
        6,
        (1, 2),
        surgery="86008C",
        body_site="EYE",
        drugs=("BC21883421", "AC33715421"),
        chief_complaint="右眼視力逐漸模糊一年，影響日常生活。",
        course="裂隙燈檢查為老年性核性白內障，接受右眼白內障超音波乳化術合併人工水晶體植入術。"
        "術後眼壓正常，傷口無感染，視力改善。",
        plan="依指示點眼藥水，避免揉眼及污水入眼，外出配戴護目鏡。術後一天及一週眼科門診追蹤。",
    ),
    Admission(
        "stroke",
        ("I63.9", "I63.50"),
        "12",
        (50, 100),
        5,
        (7, 14),
        imaging=("brain_ct", "brain_mri", "echocardiography"),
        drugs=("BC22977100", "BC22954100", "AC57114100"),
        chief_complaint="突發右側肢體無力及口齒不清約三小時。",
        course="腦部電腦斷層排除出血，磁振造影證實左側大腦中動脈區域急性腦梗塞。給予抗血小板藥物、"
        "降血脂藥物及血壓控制，並安排物理、職能及語言治療。右側肌力由2分進步至4分。",
        plan="持續服用抗血小板及降血脂藥物，控制血壓、血糖；門診持續復健。兩週後神經內科門診追蹤。",
    ),
    Admission(
        "myocardial_infarction",
        ("I21.3", "I21.4"),
        "02",
        (40, 95),
        3,
        (4, 7),
        surgery="33076B",
        body_site="HEART",
        imaging=("ecg", "echocardiography"),
        drugs=("AC37344160", "BC25544100", "BC24131100", "BC24039160"),
        chief_complaint="胸悶胸痛合併冒冷汗一小時。",
        course="心電圖顯示下壁ST段上升，心肌酵素上升，診斷為急性心肌梗塞。緊急心導管檢查發現右冠狀動脈"
        "完全阻塞，施行經皮冠狀動脈擴張術並置放支架一支。術後於加護病房觀察，無再胸痛後轉普通病房，"
        "開始心臟復健。",
        plan="持續服用雙重抗血小板藥物十二個月，勿自行停藥；戒菸、控制血壓及血脂。一週後心臟內科門診追蹤。",
    ),
    Admission(
        "heart_failure",
        ("I50.9", "I50.22"),
        "02",
        (60, 100),
        4,
        (5, 10),
        imaging=("chest_xray", "echocardiography"),
        drugs=("AC16705100", "AC22908100", "BC26614100", "BC24039160"),
        chief_complaint="活動時喘及下肢水腫一週，夜間端坐呼吸。",
        course="胸部X光顯示心臟擴大及肺水腫，心臟超音波左心室射出分率35%。給予靜脈利尿劑後症狀改善，"
        "體重減輕3公斤，調整心衰竭藥物後出院。",
        plan="每日量體重，限制鹽分及水分攝取；體重三天內增加2公斤以上請提早返診。一週後心臟內科門診追蹤。",
    ),
    Admission(
        "normal_delivery",
        ("O80",),
        "05",
        (20, 45),
        6,
        (2, 3),
        surgery="81017C",
        body_site="UTERUS",
        imaging=("obstetric_us",),
        drugs=("A032320100", "AC46166100"),
        chief_complaint="妊娠38週，規則子宮收縮。",
        course="入院待產，產程進展順利，經陰道自然產娩出一活產兒，會陰第一度裂傷已縫合。產後子宮收縮良好，"
        "惡露量正常，母嬰狀況穩定。",
        plan="注意會陰傷口清潔；鼓勵哺餵母乳。產後六週婦產科門診追蹤。",
        sex="F",
    ),
    Admission(
        "caesarean_section",
        ("O82", "O34.211"),
        "05",
        (22, 45),
        4,
        (3, 5),
        surgery="81004C",
        body_site="UTERUS",
        imaging=("obstetric_us",),
        drugs=("A032320100", "AC32611100"),
        chief_complaint="妊娠39週，前胎剖腹產，預約剖腹生產。",
        course="於脊髓麻醉下接受剖腹產手術，娩出一活產兒，術中出血約500毫升。術後傷口癒合良好，"
        "排氣後恢復進食，可下床活動。",
        plan="傷口保持乾燥，一週後門診拆線；鼓勵哺餵母乳。產後六週婦產科門診追蹤。",
        sex="F",
    ),
    Admission(
        "pyelonephritis",
        ("N10", "N39.0"),
        "02",
        (15, 95),
        5,
        (4, 7),
        imaging=("abdominal_us",),
        drugs=("BC16811100", "A032320100"),
        chief_complaint="畏寒發燒、右腰痛及排尿灼熱感兩天。",
        course="尿液檢查白血球大量，右腎叩擊痛，診斷為急性腎盂腎炎。給予靜脈注射Ceftriaxone抗生素，"
        "尿液培養為大腸桿菌，依藥物敏感試驗改為口服抗生素，退燒後出院。",
        plan="口服抗生素使用滿十四天，多喝水；一週後門診追蹤尿液檢查。",
    ),
    Admission(
        "copd_exacerbation",
        ("J44.1",),
        "02",
        (55, 100),
        4,
        (5, 10),
        imaging=("chest_xray",),
        drugs=("BC26301443", "BC19624100", "BC15021100", "BC19215100"),
        chief_complaint="咳嗽、痰量增加及呼吸喘加劇三天。",
        course="慢性阻塞性肺病急性惡化，給予支氣管擴張劑吸入、全身性類固醇、抗生素及氧氣治療，"
        "呼吸喘改善，血氧恢復正常後出院。",
        plan="規則使用吸入劑，戒菸；建議接種流感及肺炎鏈球菌疫苗。兩週後胸腔內科門診追蹤。",
    ),
    Admission(
        "inguinal_hernia",
        ("K40.90",),
        "03",
        (1, 90),
        4,
        (1, 3),
        surgery="75607C",
        body_site="INGUINAL",
        drugs=("A032320100",),
        chief_complaint="右側鼠蹊部突起物，站立及用力時明顯，已半年。",
        course="診斷為右側腹股溝疝氣，接受疝氣修補術(使用人工網膜)，術後恢復良好，傷口無血腫。",
        plan="一個月內避免提重物及劇烈運動；一週後一般外科門診追蹤。",
        sex="M",
    ),
    Admission(
        "lumbar_disc",
        ("M51.16", "M51.26"),
        "07",
        (30, 75),
        3,
        (4, 7),
        surgery="83024C",
        body_site="L_SPINE",
        imaging=("lspine_xray", "lspine_mri"),
        drugs=("BC22851100", "BC19044100", "BC24281100"),
        chief_complaint="下背痛併左下肢麻痛三個月，經復健治療無效。",
        course="磁振造影顯示第四、五腰椎椎間盤突出壓迫左側神經根。接受腰椎椎間盤切除術，術後左下肢"
        "疼痛明顯改善，可下床行走。",
        plan="三個月內避免彎腰提重物，使用背架；兩週後神經外科門診追蹤及拆線。",
    ),
    Admission(
        "colorectal_cancer",
        ("C18.7", "C20", "C18.2"),
        "03",
        (45, 90),
        2,
        (7, 12),
        surgery="73048B",
        body_site="COLON",
        imaging=("colonoscopy", "abdomen_ct_colon", "colon_cancer_pathology"),
        drugs=("A032320100", "A023521100"),
        chief_complaint="糞便潛血檢查陽性，大腸鏡發現乙狀結腸腫瘤。",
        course="大腸鏡切片證實為腺癌，電腦斷層無遠端轉移。接受腹腔鏡乙狀結腸切除術，術後恢復排氣排便，"
        "逐步恢復進食。病理分期為pT3N1b，安排輔助性化學治療。",
        plan="少量多餐，攝取足夠蛋白質；兩週後大腸直腸外科及腫瘤科門診追蹤，討論化學治療。",
    ),
    Admission(
        "breast_cancer",
        ("C50.912", "C50.911"),
        "03",
        (35, 80),
        2,
        (3, 5),
        surgery="63007B",
        body_site="BREAST",
        imaging=("mammography_mass", "breast_us", "breast_cancer_pathology"),
        drugs=("A032320100",),
        chief_complaint="乳房攝影篩檢發現左乳腫塊，粗針切片為浸潤性乳癌。",
        course="接受左側改良式乳房根除手術，術後引流管引流量逐漸減少後拔除，傷口癒合良好。病理報告為"
        "浸潤性乳癌，荷爾蒙受體陽性，HER2陰性。",
        plan="注意患側上肢避免抽血及量血壓，進行復健運動；一週後乳房外科門診追蹤，安排後續輔助治療。",
        sex="F",
    ),
    Admission(
        "gastroenteritis_child",
        ("A09", "E86.0", "A08.4"),
        "04",
        (0, 12),
        4,
        (2, 4),
        drugs=("BC17819138", "AC44811151"),
        chief_complaint="嘔吐、腹瀉一天，進食差，尿量減少。",
        course="理學檢查輕度脫水，給予靜脈輸液補充水分及電解質，症狀改善後可進食，尿量恢復。",
        plan="少量多餐，補充口服電解質液；如再嘔吐、活動力差或尿量減少請返診。",
    ),
    Admission(
        "bronchiolitis",
        ("J21.9",),
        "04",
        (0, 2),
        3,
        (3, 5),
        imaging=("chest_xray",),
        drugs=("BC16701151", "AC44811151"),
        chief_complaint="咳嗽、流鼻水三天，呼吸急促一天。",
        course="診斷為急性細支氣管炎，給予蒸氣吸入、抽痰及支氣管擴張劑治療，呼吸狀況改善。",
        plan="注意居家空氣流通，如呼吸急促、餵食困難請立即返診。",
    ),
    Admission(
        "bph_turp",
        ("N40.1",),
        "08",
        (55, 90),
        2,
        (3, 5),
        surgery="79411B",
        body_site="PROSTATE",
        drugs=("BC25413100",),
        chief_complaint="排尿困難、夜尿三至四次，藥物治療效果不佳。",
        course="接受經尿道攝護腺刮除術，術後持續膀胱沖洗，尿液轉清後移除導尿管，可自解小便。",
        plan="多喝水，一個月內避免提重物及騎腳踏車；兩週後泌尿科門診追蹤病理報告。",
        sex="M",
    ),
    Admission(
        "upper_gi_bleeding",
        ("K25.4", "K92.2"),
        "02",
        (40, 95),
        2,
        (4, 7),
        imaging=("upper_gi_endoscopy", "gastric_biopsy_pathology"),
        drugs=("BC23141100",),
        chief_complaint="解黑便兩天，頭暈、虛弱。",
        course="血色素下降至8.2 g/dL，胃鏡顯示胃潰瘍併出血，於內視鏡下止血，"
        "並給予靜脈質子幫浦抑制劑及輸血。幽門桿菌陽性，安排除菌治療。",
        plan="避免服用止痛消炎藥；規則服用胃藥八週，完成除菌治療。兩週後腸胃科門診追蹤。",
    ),
)

# Taiwan's routine childhood schedule (CDC 疾病管制署) since the registry began in 2003;
# born_from / born_until bound the birth years a dose applies to as schedules changed.
VACCINE_SCHEDULE: tuple[VaccineDose, ...] = (
    VaccineDose("RHEPB1", 1),
    VaccineDose("RHEPB2", 30),
    VaccineDose("RHEPB3", 180),
    VaccineDose("BCG", 1, 2003, 2015),  # within 24 hours of birth until 2015 ...
    VaccineDose("BCG", 150, 2016),  # ... at 5 months from 2016 (5-8 months from 2019)
    VaccineDose("DTP1", 60, 2003, 2009),  # DTP + OPV at 2, 4, 6 and 18 months ...
    VaccineDose("OPV1", 60, 2003, 2009),
    VaccineDose("DTP2", 120, 2003, 2009),
    VaccineDose("OPV2", 120, 2003, 2009),
    VaccineDose("DTP3", 180, 2003, 2009),
    VaccineDose("OPV3", 180, 2003, 2009),
    VaccineDose("DTP4", 540, 2003, 2009),
    VaccineDose("OPV4", 540, 2003, 2009),
    VaccineDose("5IN1-1", 60, 2010),  # ... replaced by DTaP-Hib-IPV in 2010
    VaccineDose("5IN1-2", 120, 2010),
    VaccineDose("5IN1-3", 180, 2010),
    VaccineDose("5IN1-4", 540, 2010),
    VaccineDose("PCV13-1", 60, 2015),  # publicly funded from 2015
    VaccineDose("PCV13-2", 120, 2015),
    VaccineDose("PCV13-3", 380, 2015),  # 12-15 months
    VaccineDose("MV", 270, 2003, 2005),  # measles at 9 months, stopped in 2006
    VaccineDose("MMR1", 365),
    VaccineDose("VAR", 365),
    VaccineDose("HEPA1", 365, 2017),  # nationwide for children born from 2017
    VaccineDose("HEPA2", 545, 2017),
    # Inactivated (mouse-brain) JE: 15 months, two weeks later, 27 months, first grade ...
    VaccineDose("JE1", 455, 2003, 2015),
    VaccineDose("JE2", 470, 2003, 2015),
    VaccineDose("JE3", 820, 2003, 2015),
    VaccineDose("JE4", 2190, 2003, 2011),
    # ... replaced by the live chimeric vaccine in May 2017: 15 and 27 months.
    VaccineDose("JECV1", 455, 2016),
    VaccineDose("JECV2", 820, 2016),
    VaccineDose("MMR2", 1825),  # before primary school
    VaccineDose("TD", 2190, 2003, 2004),  # first grade, until the pre-school booster
    VaccineDose("OPV5", 2190, 2003, 2004),
    VaccineDose("DTAP-IPV", 1825, 2005, 2008),
    VaccineDose("TDAP-IPV", 1825, 2009),
)


def childhood_schedule(birth_year: int) -> tuple[VaccineDose, ...]:
    """The routine doses a child born in `birth_year` was due."""
    return tuple(d for d in VACCINE_SCHEDULE if d.born_from <= birth_year <= d.born_until)


FLU_VACCINE = "FLU"
COVID_VACCINES: tuple[str, ...] = (
    "COVID19-1",
    "COVID19-2",
    "COVID19-3",
    "COVID19-4",
    "COVID19-XBB",
)
PPV_VACCINE = "PPV23"

# Consultation fee (診察費) per provider kind: hospitals dispense in-house, clinics send
# prescriptions to a contracted pharmacy as in the seed (00109C).
CONSULTATION_FEES: dict[str, str] = {
    "medical_centre": "00156A",
    "regional_hospital": "00156A",
    "district_hospital": "00102B",
    "clinic": "00109C",
    "dental_clinic": "00121C",
    "tcm_clinic": "A01",
    "health_station": "00109C",
}
CHRONIC_CONSULTATION_FEE = "00158C"
DISPENSING_FEE = "05202B"  # pharmacy, prescriptions of 7 days or less
CHRONIC_DISPENSING_FEE = "05210B"  # pharmacy, chronic prescriptions of 28 days or more
WARD_FEES: dict[str, str] = {
    "medical_centre": "03001K",
    "regional_hospital": "03002A",
    "district_hospital": "03004B",
}
DENTAL_SCALING: tuple[str, str] = ("K03.6", "91004C")  # deposits on teeth; full-mouth scaling
DENTAL_EXAM = ""  # NHI pays no separate adult dental check-up code

# Drug allergies providers upload (過敏資料): (drug code, reaction).
ALLERGENS: tuple[tuple[str, str], ...] = (
    ("AC11834100", "全身性皮疹、蕁麻疹"),
    ("BC19215100", "皮膚紅疹、搔癢"),
    ("BC16310277", "蕁麻疹、呼吸困難"),
    ("AC10631100", "皮膚搔癢、紅疹"),
    ("BC15418277", "過敏性休克"),
    ("AC30271100", "蕁麻疹"),
    ("AC24133100", "眼瞼及嘴唇腫脹"),
    ("AC32611100", "氣喘發作"),
    ("A003092100", "蕁麻疹、呼吸喘"),
    ("AC09012100", "史蒂芬強生症候群"),
    ("AC02419100", "嚴重皮膚過敏反應(藥物疹)"),
    ("BC19422270", "注射顯影劑後全身紅疹、血壓下降"),
    ("BC20031270", "蕁麻疹"),
    ("AC13803209", "錐體外症候群"),
    ("BC16701100", "心悸、手抖"),
    ("BC23711100", "嗜睡、皮疹"),
    ("BC22426100", "皮疹"),
)

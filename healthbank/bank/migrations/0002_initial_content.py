"""The first announcements, health news, user guide and FAQ, after seed 000's login and home
pages. Staff edit them at /staff/bank/; reversing removes only these rows."""

import datetime as dt

from django.db import migrations
from django.utils import timezone

# (pinned, days before the install day, title_zh, title_en, body_zh, body_en, link)
ANNOUNCEMENTS = [
    (
        True,
        0,
        "「健康存摺」全面改版：疾病評估、圖表呈現、近3年就醫資料，完成健保卡註冊後免讀卡機登入",
        "The new My Health Bank: disease risk, charts, three years of care, and no card reader "
        "needed once your NHI card is registered",
        "「健康存摺」已全面改版，新功能包括：\n\n"
        "疾病評估：肝癌風險預測與末期腎病評估，自動帶入您的檢驗結果，也可輸入自己的數值重新計算。\n\n"
        "健康資料以圖呈現：前5大疾病、檢驗結果趨勢、牙位圖、手術部位圖等，點選圖表即可篩選下方列表。\n\n"
        "擴大提供近3年的就醫資料，並有洗牙、慢性病連續處方箋領藥與回診、成人預防保健及重複用藥等貼心叮嚀。\n\n"
        "完成健保卡網路服務註冊，且健保卡曾在網路上驗證一次後，即可使用「一般登入」"
        "（身分證號、健保卡卡號、註冊密碼及圖型驗證碼），不需要讀卡機。\n\n"
        "詳細功能請參閱「使用指南」。",
        "My Health Bank has been rebuilt. What is new:\n\n"
        "Disease risk: liver-cancer risk and chronic kidney disease prognosis, filled in from "
        "your test results; you can also enter your own values and recalculate.\n\n"
        "Charts: your top five diagnoses, test results over time, tooth and body charts. Click a "
        "chart to filter the list below it.\n\n"
        "Three years of care, with reminders for dental scaling, chronic refill pick-ups and "
        "revisits, adult preventive checks and duplicate medication.\n\n"
        "Once you have registered for NHI-card online services and your card has been verified "
        "online once, General sign-in (ID number, NHI card number, password and image code) "
        "works without a card reader.\n\n"
        "See the user guide for details.",
        "",
    ),
    (
        False,
        0,
        "下載個人資料請妥善保護；於公用或共用電腦下載者，檢視後請自行刪除檔案",
        "Protect the personal data you download; on a shared computer, delete the files after "
        "reading them",
        "使用本網站服務，若下載個人資料至電腦，務請妥善保護個人資料！\n\n"
        "若於公用或共用電腦下載個人資料，請於檢視後自行刪除檔案，並清空「資源回收筒」，"
        "以確保個人資料不外洩。使用完畢請按「系統登出」並關閉瀏覽器。",
        "If you download personal data from this site, keep it safe.\n\n"
        "If you download it on a public or shared computer, delete the files after reading them "
        "and empty the recycle bin, so that your data does not leak. When you have finished, "
        "sign out and close the browser.",
        "",
    ),
    (
        False,
        1,
        "家中沒有網路或電腦？可至全臺400多處「健康存摺」查詢據點申請、下載",
        "No internet or computer at home? Use one of more than 400 My Health Bank service "
        "points",
        "如家中無網路或電腦相關設備，您可攜帶健保卡及戶號，至全臺400多處健保特約院所及公所的"
        "「健康存摺」查詢據點（持續擴點中），自助申請、下載「健康存摺」，輕鬆掌握健康大小事！\n\n"
        "也可攜帶健保卡及身分證明文件，至健保署各分區業務組及聯絡辦公室臨櫃申請。",
        "If you have no internet connection or computer at home, bring your NHI card and your "
        "household number to one of more than 400 My Health Bank service points at NHI "
        "contracted providers and township offices (more are being added), and look up or "
        "download your health bank there yourself.\n\n"
        "You can also apply at the counter of any NHIA regional division or liaison office, "
        "with your NHI card and an identity document.",
        "",
    ),
    (
        False,
        2,
        "健康存摺行動化：下載「全民健保行動快易通」APP，手機也能查詢健康存摺",
        "My Health Bank on your phone: the NHI Express app",
        "下載「全民健保行動快易通」APP，以「已註冊健保卡」或「自然人憑證」認證後登入，"
        "即可在手機上查詢健康存摺，讓健保服務一指通！",
        "Install the NHI Express app (全民健保行動快易通) and sign in with your registered NHI "
        "card or your citizen digital certificate to read your health bank on your phone.",
        "",
    ),
]

CDC = "https://www.cdc.gov.tw/"

NEWS = [
    (
        False,
        0,
        "流感季節將至，符合資格者請儘早接種公費流感疫苗",
        "Flu season: if you are eligible for a government-funded flu vaccine, get it early",
        "秋冬是流感流行的季節。疾病管制署每年提供公費流感疫苗，對象包括65歲以上長者、幼兒、"
        "孕婦、慢性病患者及醫事人員等，實際對象與開打日期以疾病管制署公告為準。"
        "接種後約2週產生保護力，請儘早接種。\n\n"
        "出現發燒、咳嗽、喉嚨痛、肌肉痠痛等類流感症狀時，請戴口罩並儘速就醫；"
        "若有呼吸困難、胸痛或意識不清等危險徵兆，應立即就醫。\n\n"
        "您的預防接種紀錄可在「健康資料」的「預防接種」查看。",
        "Influenza spreads most in autumn and winter. Taiwan CDC offers a government-funded flu "
        "vaccine every year to people aged 65 and over, young children, pregnant women, people "
        "with chronic conditions, healthcare workers and others; CDC announces who is eligible "
        "and when vaccination starts. Protection builds up about two weeks after the shot, so "
        "get it early.\n\n"
        "If you have flu-like symptoms (fever, cough, sore throat, aching muscles), wear a mask "
        "and see a doctor. Difficulty breathing, chest pain or confusion need care at once.\n\n"
        "Your vaccinations are listed under Health data, Vaccinations.",
        CDC,
    ),
    (
        False,
        1,
        "防治登革熱：雨後落實「巡、倒、清、刷」，清除積水容器",
        "Prevent dengue: after rain, check, empty, clean and scrub anything that holds water",
        "登革熱由埃及斑蚊及白線斑蚊傳播。雨後請巡視住家內外，倒掉積水、清除不要的容器，"
        "並刷洗花瓶、水缸等容器內壁，減少病媒蚊孳生。\n\n"
        "若出現發燒、頭痛、後眼窩痛、肌肉關節痠痛或出疹等症狀，請儘速就醫，"
        "並告訴醫師近期的旅遊史及活動地點。",
        "Dengue fever is spread by Aedes mosquitoes. After rain, walk around your home, empty "
        "standing water, throw away containers you do not need and scrub the inside of vases "
        "and water tanks, so that mosquitoes cannot breed.\n\n"
        "If you have a fever with headache, pain behind the eyes, aching muscles and joints or "
        "a rash, see a doctor soon and say where you have travelled and been recently.",
        CDC,
    ),
    (
        False,
        2,
        "腸病毒流行期：勤洗手，留意幼童重症前兆",
        "Enterovirus season: wash hands often and watch young children for warning signs",
        "腸病毒傳染力強，5歲以下幼童較容易發生重症。請用肥皂勤洗手，特別是如廁後、"
        "用餐前及照顧幼童前後。\n\n"
        "幼童感染後如出現嗜睡、意識不清、活力不佳、手腳無力、肌躍型抽搐（無故驚嚇或突然全身肌肉收縮）、"
        "持續嘔吐、呼吸急促或心跳加快等重症前兆，請立即到大醫院就醫。",
        "Enterovirus spreads easily, and children under five are the most likely to become "
        "seriously ill. Wash your hands with soap often, especially after using the toilet, "
        "before meals and before and after caring for a young child.\n\n"
        "If an infected child becomes drowsy, confused or listless, has weak limbs, sudden "
        "muscle jerks, keeps vomiting, breathes fast or has a racing heart, take the child to a "
        "hospital at once.",
        CDC,
    ),
]

GUIDE = [
    (
        "註冊健保卡網路服務",
        "Registering for NHI-card online services",
        "使用「健康存摺」前，請先完成「健保卡網路服務註冊」，有三種方式：\n\n"
        "網路註冊：備妥健保卡及讀卡機，到「健保卡網路服務註冊」網頁按「首次登入請先申請」，"
        "同意注意事項後讀取健保卡，輸入戶號及戶籍地址，設定註冊密碼（6至12碼，"
        "建議8碼以上並包含英文大小寫、數字及符號）及電子郵件信箱。"
        "系統會寄出確認信，請於5日內開啟信中的連結，再讀取一次健保卡，即完成註冊。\n\n"
        "臨櫃註冊：攜帶健保卡及身分證明文件，到健保署各分區業務組或聯絡辦公室辦理。\n\n"
        "投保單位整批註冊：您的投保單位可代為整批申請；您會收到電子郵件，"
        "請於5日內開啟連結、讀取健保卡並設定註冊密碼。\n\n"
        "持有自然人憑證者，不需要註冊，也可以用自然人憑證登入「健康存摺」。",
        "Before you use My Health Bank, register for NHI-card online services in one of three "
        "ways:\n\n"
        "Online: with your NHI card and a card reader, open the NHI card registration pages and "
        "choose to apply. Accept the rules, read your card, enter your household number and "
        "registered address, and choose a password (6 to 12 characters; 8 or more with upper- "
        "and lower-case letters, digits and symbols is strongest) and an e-mail address. Open "
        "the link in the confirmation e-mail within 5 days and read your card again: you are "
        "registered.\n\n"
        "At the counter: bring your NHI card and an identity document to any NHIA regional "
        "division or liaison office.\n\n"
        "Through your employer: your insured unit can register its staff in one batch. You "
        "receive an e-mail; within 5 days open its link, read your card and choose a "
        "password.\n\n"
        "With a citizen digital certificate you can sign in to My Health Bank without "
        "registering.",
    ),
    (
        "三種登入方式",
        "Three ways to sign in",
        "登入頁有三個頁籤：\n\n"
        "一般登入：輸入身分證號、健保卡卡號、註冊密碼及圖型驗證碼，不需要讀卡機。"
        "您的健保卡須曾在網路上驗證過一次（網路註冊完成時，或曾以健保卡或自然人憑證登入）。\n\n"
        "健保卡：將健保卡插入讀卡機，按「讀取」，再輸入註冊密碼及圖型驗證碼。\n\n"
        "自然人憑證：將自然人憑證插入讀卡機，按「讀取」並輸入憑證的PIN碼。\n\n"
        "讀取卡片時，電腦上須執行讀卡元件；若頁面顯示找不到元件，請先安裝並啟動後再按「讀取」。",
        "The sign-in page has three tabs:\n\n"
        "General sign-in: your ID number, NHI card number, password and the image code; no card "
        "reader needed. Your NHI card must have been verified online once (when you completed "
        "online registration, or by signing in once with the card or a citizen certificate).\n\n"
        "NHI card: put your card in the reader, press Read, then enter your password and the "
        "image code.\n\n"
        "Citizen digital certificate: put the certificate card in the reader, press Read and "
        "enter the certificate's PIN.\n\n"
        "Reading a card needs the card-reader component running on your computer; if the page "
        "says it cannot find it, install and start it, then press Read again.",
    ),
    (
        "首頁與各選單",
        "Your home page and the menus",
        "登入後的「我的首頁」顯示最近一次西醫、牙醫及中醫就醫紀錄（點選可看就醫明細：診斷、"
        "部分負擔、健保支付點數、用藥及處置），以及本月行事曆、貼心叮嚀、公告事項與健康時事。\n\n"
        "個人專區：健保投保資料、健保卡狀況及領卡紀錄、保險費計費與繳納、過敏資料、"
        "器官捐贈及安寧緩和醫療意願、我的行事曆。\n\n"
        "健康資料：生理量測與貼心叮嚀、預防接種、就醫資料（住院、西醫、中醫、牙醫、手術、用藥、"
        "慢性病連續處方箋）、檢驗檢查結果、成人預防保健。\n\n"
        "疾病評估：肝癌風險預測、末期腎病評估。\n\n"
        "下載服務：下載您的健康存摺檔案。\n\n"
        "每頁上方的「現在位置」顯示您在哪一頁；每頁都註明資料來源及資料提供區間。"
        "表格可點選欄位標題排序；點選圖表的區塊（例如前5大疾病），可篩選下方的列表。",
        "After you sign in, My home page shows your latest Western-medicine, dental and "
        "Chinese-medicine visits (open one for its details: diagnosis, copayment, NHI points, "
        "medicines and procedures), this month's calendar, reminders, announcements and health "
        "news.\n\n"
        "Personal: insurance status, NHI card and issuance records, premium bills and payments, "
        "allergies, organ donation and hospice wishes, and your calendar.\n\n"
        "Health data: measurements and reminders, vaccinations, medical visits (inpatient, "
        "Western medicine, Chinese medicine, dental, surgeries, medications, chronic refill "
        "prescriptions), test results and adult preventive care.\n\n"
        "Disease risk: liver-cancer risk and chronic kidney disease prognosis.\n\n"
        "Download service: download your records as a file.\n\n"
        "'You are here' at the top of each page shows where you are, and every page says where "
        "its data comes from and which period it covers. Click a column heading to sort a "
        "table; click part of a chart (for example one of your top five diagnoses) to filter "
        "the list below it.",
    ),
    (
        "記錄生理量測",
        "Entering your measurements",
        "在「健康資料」的「生理量測與貼心叮嚀」，可以記錄身高、體重、腰圍、血壓、空腹血糖及心跳。"
        "系統會自動計算身體質量指數（BMI），並以趨勢圖呈現歷次數值。\n\n"
        "數值超出合理範圍時，頁面會說明並請您更正後再儲存。這些是您自己輸入的資料，"
        "不會傳送給醫事機構；就醫時可以打開給醫師參考。",
        "Under Health data, Measurements and reminders, you can record your height, weight, "
        "waist, blood pressure, fasting blood glucose and heart rate. Your body-mass index (BMI) "
        "is calculated for you, and charts show how each value changes over time.\n\n"
        "A value outside a plausible range is refused with an explanation, so you can correct "
        "it. These are your own entries: they are not sent to any provider, but you can show "
        "them to your doctor.",
    ),
    (
        "貼心叮嚀與我的行事曆",
        "Reminders and your calendar",
        "系統會依您的就醫資料提醒您：\n\n"
        "洗牙：上次洗牙180天後，可再安排健保給付的洗牙。\n\n"
        "慢性病連續處方箋：建議的領藥期間及回診時間。\n\n"
        "成人預防保健：依您的年齡，下一次可接受檢查的時間。\n\n"
        "重複用藥：不同醫事機構開立同一類藥品且用藥期間重疊時提醒您，請與醫師或藥師討論，"
        "不要自行停藥。\n\n"
        "提醒會顯示在首頁及「我的行事曆」。您也可以在行事曆中新增自己的行程，"
        "並匯出為 iCalendar（.ics）檔案，加入手機或電腦的行事曆。",
        "Your records drive these reminders:\n\n"
        "Dental scaling: 180 days after your last scaling, the next one paid by NHI can be "
        "booked.\n\n"
        "Chronic refill prescriptions: when to collect the next refill and when to see the "
        "doctor again.\n\n"
        "Adult preventive care: when you can next have a check, by your age.\n\n"
        "Duplicate medication: medicines of the same class from different providers with "
        "overlapping days. Talk to your doctor or pharmacist; do not stop a medicine on your "
        "own.\n\n"
        "Reminders appear on your home page and in My calendar. You can add your own events to "
        "the calendar and export it as an iCalendar (.ics) file for your phone or computer.",
    ),
    (
        "疾病評估",
        "Disease risk assessments",
        "「疾病評估」提供肝癌風險預測及末期腎病評估。頁面會帶入您最近的檢驗結果，"
        "您也可以輸入自己的數值重新計算，或重新載入您的資料。\n\n"
        "評估結果是依研究模型所做的估計，不是診斷，並有不適用的對象（請見頁面上的說明及常見問題）。"
        "請帶著結果與您的醫師討論。",
        "Disease risk offers a liver-cancer risk estimate and a chronic kidney disease "
        "prognosis. The pages fill in your latest test results; you can also enter your own "
        "values and recalculate, or reload your data.\n\n"
        "The results are estimates from research models, not diagnoses, and do not apply to "
        "everyone (see the notes on each page and the FAQ). Discuss them with your doctor.",
    ),
    (
        "未滿15歲子女的健康存摺",
        "Children under 15",
        "未滿15歲且依附您投保的子女，其健康存摺自動授權給您，不需另外申請。\n\n"
        "登入後，頁面上方會列出這些子女，點選子女的名字即可查看他的各項資料及使用下載服務，"
        "頁面也會提示您正在查看子女的資料；點選「本人」即可回到您自己的資料。\n\n"
        "子女滿15歲當天起，就不再出現在您的健康存摺；子女可以用自己的健保卡註冊並登入。",
        "The records of your children under 15 who are insured as your dependants are open to "
        "you automatically; there is nothing to apply for.\n\n"
        "After you sign in, these children are listed at the top of the page. Choose a child's "
        "name to see their records and use the download service for them; the page reminds you "
        "that you are looking at your child's records. Choose Mine to go back to your "
        "own.\n\n"
        "From the day a child turns 15 they no longer appear in your health bank; they can "
        "register with their own NHI card and sign in themselves.",
    ),
    (
        "下載服務",
        "Downloading your records",
        "在「下載服務」勾選要下載的資料類別與期間（合併資料或單月份資料），按「產製」；"
        "檔案會在背景產生，完成後請到「產製清單」下載，檔案保留7天。\n\n"
        "下載的檔案為加密的 ZIP 壓縮檔，密碼為您的身分證號（首碼英文字母大寫），"
        "檔名為「健康存摺_產製日期_序號.zip」。\n\n"
        "在公用或共用電腦上下載時，檢視後請刪除檔案並清空「資源回收筒」。",
        "Under Download service, tick the kinds of records and the period you want (merged, "
        "or month by month) and press Generate. The file is prepared in the background; "
        "download it from the list of generated files within 7 days.\n\n"
        "The file is an encrypted ZIP archive. Its password is your national ID number with the "
        "first letter in upper case, and it is named 健康存摺_<date>_<serial>.zip.\n\n"
        "On a public or shared computer, delete the file after reading it and empty the "
        "recycle bin.",
    ),
    (
        "登出與閒置自動登出",
        "Signing out, and signing out when idle",
        "使用完畢請按選單的「系統登出」。\n\n"
        "為保護您的資料，閒置15分鐘會自動登出；登出前2分鐘畫面會提醒您，按「繼續使用」即可。"
        "在公用電腦上使用後，請登出並關閉瀏覽器。",
        "When you have finished, choose Sign out in the menu.\n\n"
        "To protect your data you are signed out after 15 minutes without activity. Two minutes "
        "before that the page warns you; choose Continue to stay signed in. On a public "
        "computer, sign out and close the browser when you leave.",
    ),
]

FAQ = [
    (
        "忘記註冊密碼怎麼辦？",
        "I forgot my password. What do I do?",
        "請在登入頁按「忘記密碼」，讀取健保卡後選擇：將重設密碼的連結寄到已登錄的電子郵件信箱；"
        "或輸入新的電子郵件信箱，並填寫戶號及戶籍地址以核對身分。\n\n"
        "請於5日內開啟信中的連結，再讀取一次健保卡並設定新密碼（6至12碼）。",
        "Choose Forgot password on the sign-in page and read your NHI card. Then either have a "
        "reset link sent to the e-mail address you registered, or enter a new e-mail address "
        "together with your household number and registered address so that we can check who "
        "you are.\n\n"
        "Open the link within 5 days, read your card again and choose a new password (6 to 12 "
        "characters).",
    ),
    (
        "密碼連續輸錯，帳號被暫停使用了？",
        "I entered a wrong password several times and my account is suspended",
        "連續輸錯註冊密碼5次，網路服務會暫停使用，系統並會寄信通知您。"
        "請用「忘記密碼」重設密碼，重設完成後即恢復使用，不必臨櫃辦理。\n\n"
        "同一網路位址短時間內登入失敗次數過多時，也須稍候再試。\n\n"
        "若是經臨櫃申請停用，請攜帶身分證明文件到健保署各分區業務組或聯絡辦公室辦理恢復。",
        "After 5 wrong passwords in a row, online services are suspended and you are sent an "
        "e-mail. Reset your password with Forgot password: that lifts the suspension at once, "
        "with no need to visit a counter.\n\n"
        "After too many failed sign-ins from one network address in a short time, that address "
        "must also wait a while before trying again.\n\n"
        "If your registration was suspended at a counter, bring an identity document to an "
        "NHIA regional division or liaison office to have it reinstated.",
    ),
    (
        "確認信的連結失效了怎麼辦？",
        "The link in my e-mail no longer works",
        "註冊確認信的連結須在寄出後5日內使用，逾期本次申請即失效；重設密碼的連結同樣5日內有效，"
        "而且只能使用一次。\n\n"
        "註冊確認信失效時，請到「健保卡網路服務註冊」網頁讀取健保卡後按「重寄認證信」，"
        "或刪除原申請後重新申請；重設密碼的連結失效時，請再按一次「忘記密碼」。"
        "沒收到信時，請先檢查垃圾郵件匣。",
        "A registration confirmation link must be used within 5 days of being sent; after that "
        "the application lapses. A password-reset link is also valid for 5 days, and only "
        "once.\n\n"
        "For an expired confirmation link, read your card on the NHI card registration pages "
        "and choose to resend the confirmation e-mail, or delete the application and apply "
        "again. For an expired reset link, use Forgot password again. If no e-mail arrives, "
        "look in your spam folder first.",
    ),
    (
        "為什麼「一般登入」需要先用過一次健保卡？",
        "Why does General sign-in need my NHI card once?",
        "「一般登入」只需要身分證號、健保卡卡號及密碼。為確認是您本人持有這張健保卡，"
        "您的健保卡須先在網路上驗證過一次：網路註冊時開啟確認信並讀取健保卡、"
        "以「健保卡」或「自然人憑證」登入一次，或以健保卡重設密碼。\n\n"
        "臨櫃註冊者請先用「健保卡」登入一次；之後平時用「一般登入」即可，不需要讀卡機。",
        "General sign-in asks only for your ID number, NHI card number and password. To be sure "
        "that you hold the card, it must have been verified online once: by reading it when "
        "you confirmed an online registration, by signing in once with the NHI card or a "
        "citizen certificate, or by resetting your password with the card.\n\n"
        "If you registered at a counter, sign in once with the NHI card tab; after that General "
        "sign-in works without a card reader.",
    ),
    (
        "資料涵蓋多久？為什麼最近一次就醫還沒有出現？",
        "What period do the records cover, and why is my latest visit missing?",
        "就醫、用藥、檢驗等資料提供近3年，以整月計算（例如在115年11月查詢，資料自112年11月1日起）；"
        "投保資料為近1年；過敏資料自104年起；預防接種自92年起；成人預防保健為最近2次檢查。"
        "每頁都會註明資料提供區間。\n\n"
        "資料來自醫院、診所、藥局等醫事機構申報或以健保卡上傳，須待醫事機構上傳後才會出現，"
        "通常需要數日，部分資料（例如檢驗結果、出院病歷摘要）可能更久。",
        "Visits, medicines, test results and other care cover the last three years in whole "
        "months (for example, in November 2026 they start on 1 November 2023). Insurance data "
        "covers the last year, allergies are shown from 2015, vaccinations from 2003, and adult "
        "preventive care shows your last two checks. Every page states the period it covers.\n\n"
        "Records come from what hospitals, clinics and pharmacies report or upload with your "
        "NHI card, so they appear only after the provider has sent them: usually within days, "
        "some (such as test results and discharge summaries) later.",
    ),
    (
        "疾病評估的結果代表什麼？",
        "What do the disease risk results mean?",
        "疾病評估是依您已上傳的檢驗結果及基本資料所做的估計，不是診斷。\n\n"
        "肝癌風險預測：依性別、年齡、ALT（GPT）及B型肝炎e抗原（HBeAg），"
        "估計慢性B型肝炎患者未來10年發生肝癌的機率。非慢性B型肝炎患者使用時可能高估風險；"
        "合併感染HIV、C型或D型肝炎、肝硬化、ALT突然上升2倍以上或肝癌復發者不適用。\n\n"
        "末期腎病評估：依最近一次的腎絲球過濾率（eGFR）及尿液白蛋白／肌酸酐比值（ACR，"
        "沒有時用尿蛋白／肌酸酐比值 PCR），在KDIGO分期表上標示您的位置，"
        "顏色表示建議每年追蹤的次數。\n\n"
        "無論結果如何，請與您的醫師討論；慢性B型肝炎患者都需要定期追蹤檢查。",
        "They are estimates from your uploaded test results and basic data, not diagnoses.\n\n"
        "Liver-cancer risk: from your sex, age, ALT (GPT) and hepatitis B e-antigen (HBeAg), the "
        "chance that a person with chronic hepatitis B develops liver cancer in the next ten "
        "years. For people without chronic hepatitis B it may overstate the risk; it does not "
        "apply to people also infected with HIV or hepatitis C or D, with cirrhosis, with a "
        "sudden rise of ALT to twice or more, or whose liver cancer has come back.\n\n"
        "Chronic kidney disease prognosis: your latest eGFR and urine albumin-to-creatinine "
        "ratio (ACR, or protein-to-creatinine ratio, PCR, when there is no ACR) place you on "
        "the KDIGO grid; its colour says how often a year follow-up is advised.\n\n"
        "Whatever the result, discuss it with your doctor; everyone with chronic hepatitis B "
        "needs regular check-ups.",
    ),
    (
        "孩子滿15歲後，為什麼我看不到他的資料？",
        "My child has turned 15. Why can I no longer see their records?",
        "未滿15歲且依附您投保的子女，其健康存摺自動授權給您。子女滿15歲當天起授權即結束，"
        "子女須以自己的健保卡註冊健保卡網路服務（或使用自然人憑證）後自行登入查看。\n\n"
        "未依附您投保的子女（例如依附另一位家長投保），請由投保的那位家長查看。",
        "The records of children under 15 insured as your dependants are open to you "
        "automatically. That ends on the child's 15th birthday: from then on the child "
        "registers with their own NHI card (or uses a citizen certificate) and signs in "
        "themselves.\n\n"
        "A child insured under the other parent can be seen by that parent.",
    ),
    (
        "我的資料好像有錯，怎麼辦？",
        "Something in my records looks wrong",
        "健康存摺的就醫、用藥、檢驗等資料是醫事機構申報或上傳的內容，健保署不會修改。"
        "若資料有誤（例如沒有去過的就醫紀錄、不符的診斷或用藥），請洽該醫事機構確認，"
        "由醫事機構更正後重新上傳。\n\n"
        "投保、健保卡或保險費資料有疑問，請洽您的投保單位或健保署。"
        "若懷疑健保卡遭他人冒用，請儘速與健保署聯絡。",
        "Visits, medicines, test results and other care are shown as the providers reported or "
        "uploaded them; NHIA does not change them. If something is wrong (a visit you never "
        "made, a diagnosis or medicine that does not match), ask that provider to check it and "
        "send a correction.\n\n"
        "For questions about your insurance, NHI card or premiums, contact your insured unit "
        "or NHIA. If you think someone else has used your NHI card, contact NHIA as soon as "
        "possible.",
    ),
    (
        "我的資料安全嗎？誰看得到？",
        "Is my data safe? Who can see it?",
        "只有您本人登入後才能查看您的健康存摺；未滿15歲子女的資料，由其依附投保的父或母查看。"
        "每一次查看都會記錄是誰看了誰的資料。閒置一段時間會自動登出。\n\n"
        "下載的檔案以您的身分證號加密。在公用或共用電腦上查看後，請刪除檔案並清空「資源回收筒」，"
        "並記得登出。",
        "Only you can see your health bank, after signing in; a child under 15 is seen by the "
        "parent the child is insured under. Every time records are opened, who opened whose "
        "records is logged. You are signed out after a while without activity.\n\n"
        "Downloaded files are encrypted with your national ID number. On a public or shared "
        "computer, delete them after reading, empty the recycle bin and sign out.",
    ),
    (
        "字太小？想看英文版？",
        "How do I make the text larger, or read the site in English?",
        "登入後每頁上方有「字級設定」，可選小、中、大、巨四種大小，您的選擇會記在這部電腦的瀏覽器中。"
        "也可以使用瀏覽器的縮放功能（按 Ctrl 及 + 或 -）。\n\n"
        "每頁右上角可切換「繁體中文」或「English」。",
        "Once signed in, each page has font-size buttons at the top (small, medium, large, extra "
        "large); this browser remembers your choice. Your browser's zoom (Ctrl and + or -) works "
        "too.\n\n"
        "Switch between 繁體中文 and English at the top right of every page.",
    ),
    (
        "一定要有讀卡機嗎？",
        "Do I need a card reader?",
        "網路註冊、以「健保卡」或「自然人憑證」登入，以及忘記密碼時需要讀卡機。"
        "健保卡在網路上驗證過一次後，平時用「一般登入」即可，不需要讀卡機。\n\n"
        "沒有讀卡機，也可以臨櫃註冊，或到「健康存摺」查詢據點使用。",
        "You need one to register online, to sign in with the NHI card or a citizen "
        "certificate, and to reset a forgotten password. Once your card has been verified "
        "online, General sign-in works without a reader.\n\n"
        "Without a reader you can register at a counter, or use a My Health Bank service "
        "point.",
    ),
]


def add_content(apps, schema_editor):
    Announcement = apps.get_model("bank", "Announcement")
    HelpEntry = apps.get_model("bank", "HelpEntry")
    today = timezone.localdate()
    for kind, rows in (("announcement", ANNOUNCEMENTS), ("news", NEWS)):
        for pinned, days_ago, title_zh, title_en, body_zh, body_en, link in rows:
            Announcement.objects.create(
                kind=kind,
                pinned=pinned,
                published_on=today - dt.timedelta(days=days_ago),
                title_zh=title_zh,
                title_en=title_en,
                body_zh=body_zh,
                body_en=body_en,
                link=link,
            )
    for kind, rows in (("guide", GUIDE), ("faq", FAQ)):
        for number, (title_zh, title_en, body_zh, body_en) in enumerate(rows, start=1):
            HelpEntry.objects.create(
                kind=kind,
                position=number * 10,  # room to slot new entries in between
                title_zh=title_zh,
                title_en=title_en,
                body_zh=body_zh,
                body_en=body_en,
            )


def remove_content(apps, schema_editor):
    Announcement = apps.get_model("bank", "Announcement")
    HelpEntry = apps.get_model("bank", "HelpEntry")
    Announcement.objects.filter(title_zh__in=[row[2] for row in ANNOUNCEMENTS + NEWS]).delete()
    HelpEntry.objects.filter(title_zh__in=[row[0] for row in GUIDE + FAQ]).delete()


class Migration(migrations.Migration):
    dependencies = [("bank", "0001_announcements_help")]

    operations = [migrations.RunPython(add_content, remove_content)]

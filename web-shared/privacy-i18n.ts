/**
 * The privacy notice and the words of the personal-data screens (consent, export, deletion), in
 * both languages. The notice's text belongs to `PRIVACY_NOTICE_VERSION` (privacy.ts): change
 * both together, with the server's version (api/services/privacy.ts), so everyone is asked again.
 */
export const privacyZh = {
  'privacy.title': '隐私政策',
  'privacy.effective': '版本 {date} 生效',
  'privacy.updated': '隐私政策有更新，请重新阅读并确认是否同意。',
  'privacy.intro':
    '联盟生活（以下称“我们”）按照《个人信息保护法》处理你的个人信息。请阅读以下内容，同意后再使用本服务。',
  'privacy.collectTitle': '我们收集什么',
  'privacy.collectPhone': '手机号：作为你的账号，用于短信验证码登录。',
  'privacy.collectShipTo':
    '收货信息（收货人、联系电话、地址）：仅在你下单需要快递配送的商品时填写，提供给为你发货的商家或供应商。',
  'privacy.collectAddress': '观看视频时设备的网络地址（IP 地址）：用于核实视频确实被完整观看，防止刷量作弊。',
  'privacy.collectRecords': '交易记录：到店消费、订单、广告券和生态积分的明细。',
  'privacy.whyTitle': '为什么收集',
  'privacy.why': '只为登录、发货、核实视频任务和记账。我们不出售你的个人信息，也不用于上述以外的目的。',
  'privacy.keepTitle': '保存多久',
  'privacy.keep':
    '在你注销账号前保存。注销后，手机号、会员码、收货信息和网络地址立即删除；交易记录按法律对账目和交易记录的保存要求，以不再指向你的匿名编号保留。',
  'privacy.rightsTitle': '你的权利',
  'privacy.rights': '你可以随时在「我的」页面下载你的全部数据（JSON 文件），或注销账号。撤回同意即注销账号。',
  'privacy.contactTitle': '联系我们',
  'privacy.contact': '对个人信息处理有疑问、需要更正或投诉，请发邮件至 {email}。',
  'privacy.accept': '同意并继续',
  'privacy.decline': '不同意',
  'privacy.declineHint': '不同意将退出登录。在你同意之前，我们只保存你的手机号。',
  'privacy.outdated': '隐私政策已更新，请刷新页面阅读最新版本。',
  'privacy.reload': '刷新页面',
  'mydata.title': '个人信息',
  'mydata.exportHint': '下载我们保存的关于你的全部数据：账号、余额、明细、消费、订单和视频记录。',
  'mydata.export': '下载我的数据',
  'mydata.exported': '已下载：{file}',
  'mydata.delete': '注销账号',
  'mydata.deleteTitle': '确定注销账号吗？',
  'mydata.deleteErased': '将删除：手机号、会员码、订单中的收货信息、观看视频时的网络地址、登录验证码。',
  'mydata.deleteKept':
    '将保留：广告券、生态积分的账目和消费、订单记录，以匿名编号保存，不再能关联到你。剩余的广告券和生态积分将无法再使用。',
  'mydata.deleteFinal': '注销后无法恢复。同一手机号以后可以重新注册，但会是一个全新的账号。',
  'mydata.deleteConfirm': '确认注销',
  'mydata.deleted': '账号已注销，你的个人信息已删除。',
  'error.owns_active_business': '你是一家正在营业的商家或供应商的负责人，请先转交或关闭后再注销账号。',
  'error.pending_order': '你有待支付或配送中的订单：待支付的订单可在订单页取消，配送中的请收货后再注销账号。',
  'error.pending_withdrawal': '你有正在处理的提现，请等处理完成后再注销账号。',
  'error.unknown_privacy_notice': '隐私政策已更新，请刷新页面后重新阅读。',
} satisfies Record<string, string>;

export const privacyEn: Record<keyof typeof privacyZh, string> = {
  'privacy.title': 'Privacy notice',
  'privacy.effective': 'Version in force from {date}',
  'privacy.updated': 'This notice has changed since you last agreed. Please read it again and choose.',
  'privacy.intro':
    'Alliance Life ("we") handles your personal information under China\'s Personal Information Protection Law. Please read this and agree before using the service.',
  'privacy.collectTitle': 'What we collect',
  'privacy.collectPhone':
    'Your phone number: it is your account, and you sign in with a code sent to it by SMS.',
  'privacy.collectShipTo':
    'Ship-to details (name, phone, address): only when you order goods to be delivered, and given to the merchant or supplier who ships them.',
  'privacy.collectAddress':
    "Your device's network (IP) address while you watch videos: to check that a video was really watched to the end.",
  'privacy.collectRecords': 'Your transactions: in-store purchases, orders, vouchers and eco-points.',
  'privacy.whyTitle': 'Why',
  'privacy.why':
    'Only to sign you in, deliver your orders, verify video tasks and keep the accounts. We do not sell your personal information or use it for anything else.',
  'privacy.keepTitle': 'How long',
  'privacy.keep':
    'Until you delete your account. Then your phone number, member code, ship-to details and network addresses are erased at once; transaction records are kept, as the law requires of accounts and transaction records, under an anonymous number that no longer leads to you.',
  'privacy.rightsTitle': 'Your rights',
  'privacy.rights':
    'At any time, on the "Me" page, you can download all your data (a JSON file) or delete your account. Withdrawing consent means deleting your account.',
  'privacy.contactTitle': 'Contact',
  'privacy.contact':
    'For questions, corrections or complaints about your personal information, write to {email}.',
  'privacy.accept': 'Agree and continue',
  'privacy.decline': 'Decline',
  'privacy.declineHint': 'Declining signs you out. Until you agree we keep only your phone number.',
  'privacy.outdated': 'The privacy notice has been updated. Reload the page to read the new version.',
  'privacy.reload': 'Reload',
  'mydata.title': 'Personal data',
  'mydata.exportHint':
    'Download everything we keep about you: account, balances, history, purchases, orders and video records.',
  'mydata.export': 'Download my data',
  'mydata.exported': 'Downloaded: {file}',
  'mydata.delete': 'Delete my account',
  'mydata.deleteTitle': 'Delete your account?',
  'mydata.deleteErased':
    'Erased: your phone number, member code, the ship-to details of your orders, the network addresses of your video views, your sign-in codes.',
  'mydata.deleteKept':
    'Kept: the accounts of your vouchers and eco-points and the records of your purchases and orders, under an anonymous number that no longer leads to you. Vouchers and eco-points left cannot be used any more.',
  'mydata.deleteFinal':
    'This cannot be undone. The same phone number can sign up again later, as a completely new account.',
  'mydata.deleteConfirm': 'Delete my account',
  'mydata.deleted': 'Your account has been deleted, and your personal information erased.',
  'error.owns_active_business':
    'You run an active merchant or supplier. Hand it over or close it before deleting your account.',
  'error.pending_order':
    'An order of yours is awaiting payment or delivery. Cancel an unpaid one from its page; wait for a delivery to arrive before deleting your account.',
  'error.pending_withdrawal':
    'A withdrawal of yours is being processed. Wait until it is decided before deleting your account.',
  'error.unknown_privacy_notice': 'The privacy notice has been updated. Reload the page and read it again.',
};

/**
 * The catalogue of audit actions: every `action` the platform writes into the audit log (appendAudit, auditRow),
 * with its Chinese and English label, its domain, and the sentence it reads as — so that an auditor reads
 * "区工信局 张三 通过了申报 #12 的部门审核" instead of `claim.departmentReview.decide`.
 *
 * `actions.test.ts` scans src/ for the action strings written and fails when one is missing here: a new action
 * needs its label before it ships. Actions older versions wrote stay (`legacy`), since their records stay.
 *
 * Sentences: `{target}` is the thing acted on as audit-summary.ts names it (申报 #12, 企业 …, 用户 …); the actor is
 * put in front of the sentence.
 */

export const AUDIT_DOMAINS = {
  claim: ['申报', 'Claims'],
  review: ['审核与核定', 'Reviews and decisions'],
  publicity: ['公示', 'Publicity'],
  money: ['拨付、更正与预算', 'Payments, corrections and budgets'],
  enterprise: ['企业与信用', 'Enterprises and credit'],
  serviceCase: ['服务时限办件', 'Service cases'],
  investment: ['投资热力图与招商线索', 'Investment map and leads'],
  serviceRequest: ['政企服务诉求', 'Service requests'],
  dataOnFile: ['部门数据与免申即享', 'Data on file and no-application awards'],
  user: ['用户与账户', 'Users and accounts'],
  auth: ['登录', 'Sign-in'],
  platform: ['平台', 'Platform'],
} as const satisfies Record<string, readonly [string, string]>;

export type AuditDomain = keyof typeof AUDIT_DOMAINS;

export interface AuditActionInfo {
  action: string;
  domain: AuditDomain;
  zh: string;
  en: string;
  /** what the actor did, with `{target}` for the thing acted on */
  sentenceZh: string;
  sentenceEn: string;
  /** written by earlier versions only; kept because their records stay */
  legacy?: boolean;
}

type Row = [action: string, domain: AuditDomain, zh: string, en: string, sentenceZh: string, sentenceEn: string, legacy?: 'legacy'];

const ROWS: Row[] = [
  // 申报
  ['claim.create', 'claim', '创建申报', 'Claim created', '创建了{target}', 'created {target}'],
  ['claim.edit', 'claim', '修改申报', 'Claim edited', '修改了{target}', 'edited {target}'],
  ['claim.submit', 'claim', '提交申报', 'Claim submitted', '提交了{target}', 'submitted {target}'],
  ['claim.withdraw', 'claim', '撤回申报', 'Claim withdrawn', '撤回了{target}', 'withdrew {target}'],
  ['claim.read', 'claim', '查阅申报', 'Claim viewed', '查阅了{target}', 'viewed {target}'],
  ['evidence.upload', 'claim', '上传材料', 'Evidence uploaded', '为{target}上传了证明材料', 'uploaded evidence to {target}'],
  ['evidence.read', 'claim', '查阅材料', 'Evidence opened', '查阅了{target}的证明材料', 'opened the evidence of {target}'],
  // 审核与核定
  ['claim.firstReview.pass', 'review', '初审通过', 'First review passed', '通过了{target}的区镇初审', 'passed {target} at the first review'],
  ['claim.firstReview.return', 'review', '初审退回修改', 'Returned at first review', '在区镇初审中退回了{target}', 'returned {target} at the first review'],
  ['claim.firstReview.reject', 'review', '初审不予支持', 'Rejected at first review', '在区镇初审中不予支持{target}', 'rejected {target} at the first review'],
  ['claim.departmentReview.decide', 'review', '部门审核通过并核定', 'Department review passed and decided', '通过了{target}的部门审核并核定金额', 'passed {target} at the department review and decided its amount'],
  ['claim.departmentReview.pass', 'review', '部门审核通过，转联审', 'Department review passed, to the joint review', '通过了{target}的部门审核，转一事一议联审', 'passed {target} at the department review, on to the joint review'],
  ['claim.departmentReview.return', 'review', '部门审核退回修改', 'Returned at department review', '在部门审核中退回了{target}', 'returned {target} at the department review'],
  ['claim.departmentReview.reject', 'review', '部门审核不予支持', 'Rejected at department review', '在部门审核中不予支持{target}', 'rejected {target} at the department review'],
  ['claim.jointReview.decide', 'review', '联审核定', 'Joint review decided', '在一事一议联审中核定了{target}的金额', 'decided the amount of {target} at the joint review'],
  ['claim.jointReview.return', 'review', '联审退回修改', 'Returned at joint review', '在一事一议联审中退回了{target}', 'returned {target} at the joint review'],
  ['claim.jointReview.reject', 'review', '联审不予支持', 'Rejected at joint review', '在一事一议联审中不予支持{target}', 'rejected {target} at the joint review'],
  ['claim.decide', 'review', '核定（旧版）', 'Decided (earlier version)', '核定了{target}的金额', 'decided the amount of {target}', 'legacy'],
  ['claim.approve', 'review', '审定通过（旧版）', 'Approved (earlier version)', '审定通过了{target}', 'approved {target}', 'legacy'],
  // 公示
  ['publicity.publish', 'publicity', '发布公示', 'Publicity published', '发布了{target}', 'published {target}'],
  ['publicity.close', 'publicity', '结束公示', 'Publicity closed', '结束了{target}', 'closed {target}'],
  ['objection.record', 'publicity', '登记异议', 'Objection recorded', '在{target}中登记了异议', 'recorded an objection in {target}'],
  ['objection.resolve', 'publicity', '处理异议', 'Objection resolved', '处理了{target}中的异议', 'resolved an objection in {target}'],
  ['claim.publicity.passed', 'publicity', '公示无异议，审定通过', 'Passed publicity', '结束公示：{target}无异议，审定通过', 'closed publicity: {target} passed'],
  ['claim.publicity.upheld', 'publicity', '公示异议成立，不予支持', 'Objection upheld', '结束公示：{target}异议成立，不予支持', 'closed publicity: an objection against {target} was upheld'],
  // 拨付、更正与预算
  ['claim.pay', 'money', '拨付', 'Paid', '拨付了{target}', 'paid {target}'],
  ['paymentBatch.build', 'money', '生成拨付批次', 'Payment batch built', '生成了{target}', 'built {target}'],
  ['claim.paymentBatch.add', 'money', '列入拨付批次', 'Put in a payment batch', '将{target}列入拨付批次', 'put {target} in a payment batch'],
  ['paymentBatch.export', 'money', '导出银行文件', 'Bank file exported', '导出了{target}的银行文件', 'exported the bank file of {target}'],
  ['paymentBatch.cancel', 'money', '撤销拨付批次', 'Payment batch cancelled', '撤销了{target}', 'cancelled {target}'],
  ['paymentBatch.return', 'money', '登记银行回单', "Bank's return recorded", '登记了{target}的银行回单', "recorded the bank's return of {target}"],
  ['claim.paymentFailed', 'money', '拨付失败', 'Payment failed', '登记{target}拨付失败，退回待拨付', 'recorded the payment of {target} as failed, back to awaiting payment'],
  ['claim.reverse', 'money', '冲销奖励', 'Award reversed', '冲销了{target}的奖励', 'reversed the award of {target}'],
  ['claim.clawback', 'money', '追回奖励', 'Award clawed back', '追回了{target}的奖励', 'clawed back the award of {target}'],
  ['claim.recovery.record', 'money', '登记追回到账', 'Recovery received', '登记了{target}追回款的到账', 'recorded money recovered on {target}'],
  ['ledger.cityAward', 'money', '登记市级奖励', 'City award recorded', '为{target}登记了市级同类奖励', 'recorded a city award for {target}'],
  ['ledger.cityAward.correct', 'money', '更正市级奖励', 'City award corrected', '更正了{target}的市级同类奖励', 'corrected a city award of {target}'],
  ['ledger.cityAward.end', 'money', '终止市级奖励', 'City award ended', '终止了{target}的市级同类奖励', 'ended a city award of {target}'],
  ['ledger.cityAward.import', 'money', '导入市级奖励', 'City awards imported', '以 Excel 导入了市级同类奖励', 'imported city awards from Excel'],
  ['budget.set', 'money', '设置预算', 'Budget set', '设置了{target}', 'set {target}'],
  // 企业与信用
  ['enterprise.create', 'enterprise', '登记企业', 'Enterprise registered', '登记了{target}', 'registered {target}'],
  ['enterprise.update', 'enterprise', '修改企业信息', 'Enterprise changed', '修改了{target}的登记信息', 'changed the registration of {target}'],
  ['enterprise.profile.read', 'enterprise', '查阅企业档案', 'Enterprise profile viewed', '查阅了{target}的档案', 'viewed the profile of {target}'],
  ['enterprise.import', 'enterprise', '导入企业', 'Enterprises imported', '以 Excel 导入了企业', 'imported enterprises from Excel'],
  ['enterprise.facts.update', 'enterprise', '更新企业在档数据', 'Facts on file updated', '更新了{target}的在档数据', 'updated the facts on file of {target}'],
  ['enterprise.bankAccount', 'enterprise', '登记银行账户', 'Bank account recorded', '登记了{target}的收款银行账户', 'recorded the bank account of {target}'],
  ['credit.list', 'enterprise', '列入信用名单', 'Put on a credit list', '将{target}列入信用名单', 'put {target} on a credit list'],
  ['credit.delist', 'enterprise', '移出信用名单', 'Taken off a credit list', '将{target}移出信用名单', 'took {target} off a credit list'],
  ['credit.import', 'enterprise', '导入信用名单', 'Credit lists imported', '以 Excel 导入了信用名单', 'imported credit listings from Excel'],
  // 服务时限办件
  ['serviceCase.create', 'serviceCase', '登记办件', 'Service case recorded', '登记了{target}', 'recorded {target}'],
  ['serviceCase.event', 'serviceCase', '办件进展', 'Service case progress', '记录了{target}的办理进展', 'recorded progress of {target}'],
  ['serviceCase.import', 'serviceCase', '导入办件', 'Service cases imported', '以 Excel 导入了办件', 'imported service cases from Excel'],
  // the investment map (issue 13, src/investment/)
  ['investmentMap.save', 'investment', '保存热力图要素', 'Map features saved', '保存了热力图要素{target}', 'saved map features {target}'],
  ['investmentMap.confirm', 'investment', '确认要素仍然有效', 'Map feature confirmed', '确认了热力图要素{target}仍然有效', 'confirmed map feature {target} is still true'],
  ['investmentMap.retire', 'investment', '下架热力图要素', 'Map feature retired', '下架了热力图要素{target}', 'took map feature {target} off the map'],
  ['lead.register', 'investment', '登记招商线索', 'Lead registered', '登记了招商线索{target}', 'registered lead {target}'],
  ['lead.stage', 'investment', '推进招商线索', 'Lead moved on', '推进了招商线索{target}', 'moved lead {target} to its next stage'],
  ['lead.owner', 'investment', '指定线索负责人', 'Lead owner named', '指定了招商线索{target}的负责人', 'named the owner of lead {target}'],
  ['lead.rewardProposed', 'investment', '提出首报奖励', 'First-reporter reward proposed', '为招商线索{target}的首报人提出奖励', "proposed the first reporter's reward of lead {target}"],
  ['lead.rewardSet', 'investment', '确定首报奖励', 'First-reporter reward set', '确定了招商线索{target}的首报奖励金额', "set the first reporter's reward of lead {target}"],
  ['serviceRequest.file', 'serviceRequest', '提出诉求', 'Request filed', '提出了{target}', 'filed {target}'],
  ['serviceRequest.attach', 'serviceRequest', '诉求附件', 'Request attachment', '为{target}上传了附件', 'attached a file to {target}'],
  ['serviceRequest.acknowledge', 'serviceRequest', '签收诉求', 'Request acknowledged', '签收了{target}', 'acknowledged {target}'],
  ['serviceRequest.transfer', 'serviceRequest', '转办诉求', 'Request transferred', '转办了{target}', 'transferred {target}'],
  ['serviceRequest.askInfo', 'serviceRequest', '请企业补充', 'More information asked', '就{target}请企业补充材料', 'asked the enterprise for more on {target}'],
  ['serviceRequest.supplyInfo', 'serviceRequest', '企业补充', 'Information supplied', '为{target}补充了材料', 'supplied more on {target}'],
  ['serviceRequest.answer', 'serviceRequest', '答复诉求', 'Request answered', '答复了{target}', 'answered {target}'],
  ['serviceRequest.escalate', 'serviceRequest', '诉求超期督办', 'Overdue request escalated', '将超期的{target}提请挂钩领导督办', 'escalated the overdue {target} to the liaison leader'],
  ['serviceRequest.rate', 'serviceRequest', '评价答复', 'Answer rated', '评价了{target}的答复', 'rated the answer to {target}'],
  ['serviceRequest.reopen', 'serviceRequest', '重新提起诉求', 'Request reopened', '重新提起了{target}', 'reopened {target}'],
  ['directReport.define', 'serviceRequest', '设定直报报表', 'Report defined', '设定了{target}', 'defined {target}'],
  ['directReport.answer', 'serviceRequest', '企业直报', 'Report answered', '报送了{target}', 'answered {target}'],
  ['directReport.chase', 'serviceRequest', '催报', 'Report chased', '就{target}催报', 'chased {target}'],
  ['serviceLiaison.visit', 'serviceRequest', '走访企业', 'Enterprise visited', '走访了{target}', 'visited {target}'],
  ['assistance.request', 'serviceRequest', '申请帮办代办', 'Assistance asked', '申请了{target}', 'asked for {target}'],
  ['assistance.assign', 'serviceRequest', '指定帮办员', 'Agent assigned', '为{target}指定了帮办员', 'assigned an agent to {target}'],
  ['assistance.step', 'serviceRequest', '帮办进展', 'Assistance step', '登记了{target}的办理步骤', 'recorded a step of {target}'],
  ['assistance.done', 'serviceRequest', '帮办办结', 'Assistance done', '办结了{target}', 'finished {target}'],
  ['financing.product.add', 'serviceRequest', '新增银行产品', 'Bank product added', '新增了银行产品', 'added a bank product'],
  ['financing.need.post', 'serviceRequest', '发布融资需求', 'Financing need posted', '发布了{target}', 'posted {target}'],
  ['financing.match.respond', 'serviceRequest', '银行答复融资需求', 'Bank answered a need', '答复了{target}', 'answered {target}'],
  ['serviceLiaison.assign', 'serviceRequest', '指定挂钩联系', 'Liaison assigned', '为{target}指定了挂钩领导或联络专员', 'assigned a liaison to {target}'],
  // 用户与账户
  // 部门数据与免申即享 (src/proactive)
  ['facts.batch.load', 'dataOnFile', '报送部门数据', 'Department data loaded', '报送了部门数据批次（{target}）', 'loaded a batch of department data ({target})'],
  ['facts.correction.file', 'dataOnFile', '对部门数据提出更正申请', 'Objection to data filed', '对在档部门数据提出了更正申请（{target}）', 'objected to a department value on file ({target})'],
  ['facts.correction.answer', 'dataOnFile', '答复数据更正申请', 'Objection to data answered', '答复了数据更正申请（{target}）', 'answered an objection to data ({target})'],
  ['user.create', 'user', '创建用户', 'User created', '创建了{target}', 'created {target}'],
  ['user.update', 'user', '修改用户', 'User changed', '修改了{target}', 'changed {target}'],
  ['user.disable', 'user', '停用用户', 'User disabled', '停用了{target}', 'disabled {target}'],
  ['user.enable', 'user', '启用用户', 'User enabled', '重新启用了{target}', 're-enabled {target}'],
  ['user.unlock', 'user', '解锁用户', 'User unlocked', '解锁了{target}', 'unlocked {target}'],
  ['user.setPassword', 'user', '设置密码', 'Password set', '设置了{target}的密码', 'set the password of {target}'],
  ['user.resetPassword', 'user', '重置密码', 'Password reset', '重置了{target}的密码（一次性密码）', 'reset the password of {target} (one-time password)'],
  ['user.changePassword', 'user', '修改本人密码', 'Own password changed', '修改了本人密码', 'changed their own password'],
  ['user.passwordChangeRequired', 'user', '须修改密码', 'Password change required', '被要求先修改密码', 'was asked to change the password first'],
  ['user.secondFactor.offer', 'user', '开始绑定动态验证码', 'Second factor offered', '开始绑定动态验证码', 'began setting up a second factor'],
  ['user.secondFactor.enable', 'user', '启用动态验证码', 'Second factor on', '启用了动态验证码', 'turned on the second factor'],
  ['user.secondFactor.disable', 'user', '停用动态验证码', 'Second factor off', '停用了动态验证码', 'turned off the second factor'],
  ['user.secondFactor.reset', 'user', '重置动态验证码', 'Second factor reset', '重置了{target}的动态验证码', 'reset the second factor of {target}'],
  // 登录
  ['auth.login', 'auth', '登录', 'Signed in', '登录了平台', 'signed in'],
  ['auth.logout', 'auth', '退出登录', 'Signed out', '退出了登录', 'signed out'],
  ['auth.loginFailed', 'auth', '登录失败', 'Sign-in failed', '登录失败（用户名或密码错误）', 'failed to sign in (wrong name or password)'],
  ['auth.loginRefused', 'auth', '登录被拒绝', 'Sign-in refused', '登录被拒绝（账户停用或锁定）', 'was refused sign-in (disabled or locked)'],
  ['auth.locked', 'auth', '账户锁定', 'Account locked', '因连续输错密码，{target}在该地址被锁定', 'locked {target} out from that address after repeated wrong passwords'],
  ['auth.checkFailed', 'auth', '身份核验失败', 'Check failed', '在登录状态下核验身份失败（密码或验证码错误）', 'failed a check of identity while signed in (wrong password or code)'],
  ['auth.sessionEndedAfterFailedChecks', 'auth', '核验失败退出登录', 'Signed out after failed checks', '因连续核验失败被退出登录', 'was signed out after failed checks in a row'],
  ['auth.secondFactor', 'auth', '动态验证码登录', 'Second factor passed', '以动态验证码完成了登录', 'completed sign-in with the second factor'],
  // 平台
  ['audit.anchor', 'platform', '签发审计锚点', 'Audit anchor signed', '签发了审计链锚点（{target}）', 'signed an audit anchor ({target})'],
  ['calendar.year.save', 'platform', '录入工作日历', 'Calendar year entered', '录入了{target}', 'entered {target}'],
];

export const AUDIT_ACTIONS: readonly AuditActionInfo[] = ROWS.map(([action, domain, zh, en, sentenceZh, sentenceEn, legacy]) => ({
  action,
  domain,
  zh,
  en,
  sentenceZh,
  sentenceEn,
  ...(legacy ? { legacy: true } : {}),
}));

const BY_ACTION = new Map(AUDIT_ACTIONS.map((a) => [a.action, a]));

/** The catalogue entry of an action; an action not in it (written by a newer version) reads as itself. */
export function auditActionInfo(action: string): AuditActionInfo {
  return (
    BY_ACTION.get(action) ?? {
      action,
      domain: (action.split('.')[0] in AUDIT_DOMAINS ? action.split('.')[0] : 'platform') as AuditDomain,
      zh: action,
      en: action,
      sentenceZh: `执行了 ${action}（{target}）`,
      sentenceEn: `did ${action} ({target})`,
    }
  );
}

export function isKnownAuditAction(action: string): boolean {
  return BY_ACTION.has(action);
}

/** The actions of one domain, for "every action of …" in a filter. */
export function actionsOfDomain(domain: AuditDomain): string[] {
  return AUDIT_ACTIONS.filter((a) => a.domain === domain).map((a) => a.action);
}

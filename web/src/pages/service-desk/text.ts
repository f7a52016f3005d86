/**
 * The service desk's fixed texts, [中文, English], kept beside its pages (the shared dictionary, i18n/messages.ts, is
 * the other pages'); `useSdText()` reads them in the current language.
 */
import { useI18n } from '../../i18n';

export const SD_TEXT = {
  navMine: ['我的诉求', 'My requests'],
  navQueue: ['诉求办理', 'Requests'],
  navFigures: ['诉求统计', 'Request figures'],
  navPublic: ['诉求办理情况公开', 'Requests: public figures'],
  group: ['政企服务', 'Business service'],
  newRequest: ['提出诉求', 'File a request'],
  category: ['诉求类别', 'Category'],
  title: ['标题', 'Title'],
  description: ['诉求内容', 'What you need'],
  submit: ['提交', 'Submit'],
  filedOk: ['诉求已提交', 'Request filed'],
  routedTo: ['承办单位', 'Handled by'],
  limits: ['签收时限 {ack} 个工作日，答复时限 {answer} 个工作日', 'acknowledged within {ack} and answered within {answer} working days'],
  state: ['状态', 'State'],
  filedOn: ['提出日期', 'Filed'],
  answerDue: ['答复期限', 'Answer due'],
  provisional: ['暂定', 'provisional'],
  overdue: ['已超期', 'Overdue'],
  escalated: ['已提请挂钩领导督办', 'Escalated to the liaison leader'],
  onTime: ['按时答复', 'Answered on time'],
  late: ['超期答复', 'Answered late'],
  enterprise: ['企业', 'Enterprise'],
  unitQueue: ['本单位待办', "My unit's queue"],
  liaisonQueue: ['挂钩联系企业', 'My liaison enterprises'],
  onlyOverdue: ['只看超期', 'Overdue only'],
  empty: ['暂无诉求', 'No requests'],
  open: ['查看', 'Open'],
  history: ['办理经过', 'History'],
  answer: ['答复', 'Answer'],
  workingDays: ['用时（工作日）', 'Working days taken'],
  rating: ['评价', 'Rating'],
  files: ['附件', 'Attachments'],
  attach: ['上传附件', 'Attach a file'],
  acknowledge: ['签收', 'Acknowledge'],
  transfer: ['转办', 'Transfer'],
  toUnit: ['转至单位', 'To unit'],
  reason: ['理由', 'Reason'],
  askInfo: ['请企业补充', 'Ask for more'],
  question: ['需补充的内容', 'What is needed'],
  doAnswer: ['答复', 'Answer'],
  supplyInfo: ['补充材料', 'Supply information'],
  reply: ['补充内容', 'Your reply'],
  rate: ['评价答复', 'Rate the answer'],
  comment: ['评价意见（可选）', 'Comment (optional)'],
  reopen: ['重新提起', 'Reopen'],
  reopensLeft: ['还可重新提起 {n} 次', '{n} reopening(s) left'],
  confirm: ['确定', 'Confirm'],
  done: ['已保存', 'Saved'],
  transferredTo: ['已转办至 {unit}', 'Transferred to {unit}'],
  by: ['统计口径', 'By'],
  byUnit: ['按单位', 'By unit'],
  byCategory: ['按类别', 'By category'],
  byArea: ['按区镇', 'By area'],
  received: ['受理', 'Received'],
  answered: ['办结', 'Answered'],
  answeredOnTime: ['按时答复', 'On time'],
  overdueOpen: ['超期未答复', 'Overdue, open'],
  avgDays: ['平均用时（工作日）', 'Average working days'],
  closeRate: ['办结率', 'Answer rate'],
  satisfactionRate: ['满意率', 'Satisfaction rate'],
  satisfiedNote: ['满意率：{from} 分及以上（满分 {scale} 分）计为满意；不含企业名称', 'Satisfied: {from} of {scale} or more; no enterprise is named'],
  total: ['合计', 'Total'],
  chartCounts: ['受理与按时答复', 'Received and answered on time'],
  chartRates: ['办结率与满意率（%）', 'Answer and satisfaction rates (%)'],
  ev_filed: ['提出诉求', 'Filed'],
  ev_acknowledged: ['签收', 'Acknowledged'],
  ev_transferred: ['转办', 'Transferred'],
  ev_infoRequested: ['请企业补充', 'More information asked'],
  ev_infoSupplied: ['企业补充', 'Information supplied'],
  ev_answered: ['答复', 'Answered'],
  ev_escalated: ['超期督办', 'Escalated'],
  ev_rated: ['评价', 'Rated'],
  ev_reopened: ['重新提起', 'Reopened'],
  st_submitted: ['待签收', 'Waiting'],
  st_acknowledged: ['办理中', 'In hand'],
  st_awaitingInfo: ['待企业补充', 'Waiting for the enterprise'],
  st_answered: ['已答复', 'Answered'],
  st_closed: ['已办结', 'Closed'],
} as const satisfies Record<string, readonly [string, string]>;

export type SdKey = keyof typeof SD_TEXT;

export function useSdText() {
  const { lang } = useI18n();
  return (key: SdKey, vars: Record<string, string | number> = {}) => {
    let s: string = SD_TEXT[key][lang === 'en' ? 1 : 0];
    for (const [k, v] of Object.entries(vars)) s = s.replace(`{${k}}`, String(v));
    return s;
  };
}
